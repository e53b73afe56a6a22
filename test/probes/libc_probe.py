# Run by pymt in N interpreters at once (Python 2.4 syntax). Each interpreter asks the C
# library's static-buffer functions about its own inputs -- time stamps, users, groups, services,
# protocols, addresses -- and checks every answer against an oracle computed without them
# (pure arithmetic, or the /etc files parsed here). Prints one line:
#   libc-probe interp=K checks=N wrong=W [first wrong answers]
# An interpreter that receives another's answer counts it as wrong.
import time, pwd, grp, socket, struct, sys

try:
    import pymt
    me, count = pymt.index, pymt.count
except ImportError:
    me, count = 0, 1

DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
checks = [0]
wrong = []

def expect(what, got, want):
    checks[0] = checks[0] + 1
    if got != want:
        wrong.append('%s: got %r, want %r' % (what, got, want))

def is_leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)

def pure_gmtime(t):
    days, rem = divmod(t, 86400)
    hour, rem = divmod(rem, 3600)
    minute, sec = divmod(rem, 60)
    wday = (days + 3) % 7          # 1970-01-01 was a Thursday
    year = 1970
    while 1:
        n = 365 + is_leap(year)
        if days < n:
            break
        days = days - n
        year = year + 1
    yday = days
    lengths = [31, 28 + is_leap(year), 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    month = 0
    while days >= lengths[month]:
        days = days - lengths[month]
        month = month + 1
    return (year, month + 1, days + 1, hour, minute, sec, wday, yday + 1)

def asctime_of(tm):
    return '%s %s %2d %02d:%02d:%02d %d' % (DAYS[tm[6]], MONTHS[tm[1] - 1], tm[2], tm[3], tm[4], tm[5], tm[0])

def read_db(path, key, value):
    rows = []
    try:
        f = open(path)
    except IOError:
        return rows
    for line in f.readlines():
        line = line.strip()
        if not line or line[0] == '#':
            continue
        parts = line.split(':')
        if len(parts) > max(key, value):
            rows.append((parts[key], int(parts[value])))
    f.close()
    return rows

def read_services():
    rows = []
    for line in open('/etc/services').readlines():
        line = line.split('#')[0].split()
        if len(line) >= 2 and line[1].endswith('/tcp'):
            for name in [line[0]] + line[2:]:    # the name, then its aliases
                rows.append((name, int(line[1].split('/')[0])))
    return rows

def read_protocols():
    rows = []
    for line in open('/etc/protocols').readlines():
        line = line.split('#')[0].split()
        if len(line) >= 2:
            for name in [line[0]] + line[2:]:
                rows.append((name, int(line[1])))
    return rows

def first_only(rows):
    # the C library answers with the first entry of a name; later duplicates are not its answer
    seen = {}
    out = []
    for name, value in rows:
        if not seen.has_key(name):
            seen[name] = 1
            out.append((name, value))
    return out

def mine(rows):
    # each interpreter its own share of the rows, so no two ask the same question
    return [rows[i] for i in range(len(rows)) if i % count == me]

users = read_db('/etc/passwd', 0, 2)
groups = read_db('/etc/group', 0, 2)
services = first_only(read_services())
protocols = first_only(read_protocols())
my_users, my_groups = mine(users), mine(groups)
my_services, my_protocols = mine(services), mine(protocols)

loops = int((sys.argv[1:] or ['40'])[0])
base = 86400 * 365 * (3 + 11 * me) + 3600 * 7 * me + 61 * me
for k in range(loops):
    t = base + k * 86400 * 37 + k * 3607
    tm = pure_gmtime(t)
    g = time.gmtime(t)
    expect('gmtime(%d)' % t, tuple(g[:7]) + (g[7],), tm)
    expect('asctime(gmtime(%d))' % t, time.asctime(g), asctime_of(tm))
    lt = time.localtime(t)
    expect('mktime(localtime(%d))' % t, int(time.mktime(lt)), t)
    expect('ctime(%d)' % t, time.ctime(t), asctime_of(lt))
    for name, uid in my_users[k % len(my_users):][:2]:
        p = pwd.getpwuid(uid)
        expect('getpwuid(%d)' % uid, p.pw_uid, uid)
        expect('getpwnam(%s)' % name, pwd.getpwnam(name).pw_name, name)
    for name, gid in my_groups[k % len(my_groups):][:2]:
        expect('getgrgid(%d)' % gid, grp.getgrgid(gid).gr_gid, gid)
        expect('getgrnam(%s)' % name, grp.getgrnam(name).gr_name, name)
    if k % 8 == 0:
        expect('len(getpwall())', len(pwd.getpwall()), len(users))
        expect('len(getgrall())', len(grp.getgrall()), len(groups))
    for name, port in my_services[k % len(my_services):][:2]:
        expect('getservbyname(%s)' % name, socket.getservbyname(name, 'tcp'), port)
    for name, number in my_protocols[k % len(my_protocols):][:1]:
        expect('getprotobyname(%s)' % name, socket.getprotobyname(name), number)
    n = (me * 2654435761 + k * 40503) & 0xffffffff
    expect('inet_ntoa(%d)' % n, socket.inet_ntoa(struct.pack('!I', n)), '%d.%d.%d.%d' % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255))

print 'libc-probe interp=%d checks=%d wrong=%d %s' % (me, checks[0], len(wrong), '; '.join(wrong[:3]))
