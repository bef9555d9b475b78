# A small daemon for the start-stop-daemon tests, run by a copy of the
# Python interpreter so that --exec and --name see a binary of its own.
#   detach PIDFILE      fork, setsid, fork, write PIDFILE, serve
#   detach-nonl PIDFILE the same, the PID written without a newline
#   fg PIDFILE          serve in the foreground (PIDFILE names the HUP log)
#   stubborn PIDFILE    serve in the foreground, ignoring SIGTERM
#   zombie PIDFILE      leave an exited child unreaped, write its PID, serve
# Serving: each SIGHUP appends a line to PIDFILE.hup; SIGTERM ends it.
# Signal handling is in place before the pidfile or PIDFILE.ready exists.
import os
import signal
import sys

mode, pidfile = sys.argv[1], sys.argv[2]


def note_hup(signum, frame):
    with open(pidfile + ".hup", "a") as f:
        f.write("hup\n")


def handle(ignore_term=False):
    signal.signal(signal.SIGHUP, note_hup)
    if ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def serve():
    with open(pidfile + ".ready", "w"):
        pass
    while True:
        signal.pause()


def write_pid(pid, newline=True):
    tmp = pidfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d%s" % (pid, "\n" if newline else ""))
    os.rename(tmp, pidfile)


if mode.startswith("detach"):
    if os.fork():
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    handle()
    write_pid(os.getpid(), mode == "detach")
    serve()
elif mode == "fg":
    handle()
    serve()
elif mode == "stubborn":
    handle(ignore_term=True)
    serve()
elif mode == "zombie":
    handle()
    child = os.fork()
    if child == 0:
        os._exit(0)
    write_pid(child)
    serve()
