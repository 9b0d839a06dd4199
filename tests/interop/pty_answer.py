#!/usr/bin/python3
"""Run a command on a pseudo-terminal and answer its prompts like a person.

Used by the interop tests for programs that read a secret from their
terminal (for example `pkcs11-tool --change-pin`, which turns echo off on
stdout's terminal and reads the old PIN from stdin).

    pty_answer.py [--timeout S] --expect REGEX --answer-env VAR [...] -- CMD ARGS...

Each --expect/--answer-env pair is handled in order: when REGEX appears in
the program's output, wait until the terminal is ready (echo switched off,
so the secret is not echoed and not flushed away by TCSAFLUSH), then type
the value of environment variable VAR one key at a time, then Return.
The secret itself is never taken from the command line.

Exit status: the program's exit status; 124 on timeout; 125 when a prompt
never appeared; 126/127 when the program could not be started.
"""
import argparse
import os
import pty
import re
import select
import signal
import sys
import termios
import time


def echo_is_on(fd):
    try:
        return bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    except termios.error:
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--answer-env", action="append", default=[])
    ap.add_argument("--key-delay", type=float, default=0.02)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command given")
    if len(args.expect) != len(args.answer_env):
        ap.error("--expect and --answer-env must come in pairs")
    steps = []
    for pattern, var in zip(args.expect, args.answer_env):
        if var not in os.environ:
            ap.error("environment variable %s (answer for %r) is not set" % (var, pattern))
        steps.append((re.compile(pattern.encode()), os.environ[var].encode()))

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            sys.stderr.write("pty_answer: cannot run %s: %s\n" % (cmd[0], e))
            os._exit(127)

    deadline = time.monotonic() + args.timeout
    transcript = b""
    scan_from = 0
    step = 0
    timed_out = False
    out = sys.stdout.buffer
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the program closed the terminal
                data = b""
            if not data:
                break
            transcript += data
            out.write(data)
            out.flush()
        if step < len(steps):
            pattern, answer = steps[step]
            m = pattern.search(transcript, scan_from)
            if m:
                scan_from = m.end()
                # A person reads the prompt first; also wait for the program
                # to switch echo off (it flushes pending input when it does).
                wait_until = time.monotonic() + 5.0
                while echo_is_on(fd) and time.monotonic() < wait_until:
                    time.sleep(0.05)
                time.sleep(0.2)
                for ch in answer:
                    os.write(fd, bytes([ch]))
                    time.sleep(args.key_delay)
                os.write(fd, b"\r")
                out.write(b"<typed %d characters from $%s + Return>" % (len(answer), args.answer_env[step].encode()))
                out.flush()
                step += 1

    if timed_out:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    out.write(b"\n")
    out.flush()
    if timed_out:
        sys.stderr.write("pty_answer: timed out after %gs\n" % args.timeout)
        return 124
    if step < len(steps):
        sys.stderr.write("pty_answer: prompt %r never appeared\n" % args.expect[step])
        return 125
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


if __name__ == "__main__":
    sys.exit(main())
