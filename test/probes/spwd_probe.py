# Two interpreters look up different shadow entries at once (pymt -n 2 spwd_probe.py, as root:
# /etc/shadow): any answer naming the other interpreter's user is a shared static result.
import spwd, pymt
names = [e.sp_nam for e in spwd.getspall()][:2]
me = names[pymt.index % len(names)]
wrong = 0
for i in range(20000):
    if spwd.getspnam(me).sp_nam != me: wrong += 1
print 'spwd interp=%d name=%s wrong=%d' % (pymt.index, me, wrong)
