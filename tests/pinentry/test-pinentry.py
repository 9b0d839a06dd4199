#!/usr/bin/env python3
"""A pinentry for tests: the pinentry side of the Assuan protocol on stdin and
stdout, with scripted answers instead of a dialog.

Environment:
  ECERT_TEST_PINENTRY_ANSWERS  a file of answers, one a line, used one per
                               GETPIN and removed from the file as used, so
                               that successive runs share one list:
                                 <text>        the password typed (may be empty)
                                 cancel        the person cancels
                                 exit          the program dies without answering
                                 slow:<text>   <text>, after one second
                                 never         no answer: the dialog stays
                                               open until the SETTIMEOUT
                                               seconds pass (then ERR
                                               timeout, as pinentry does),
                                               or for good without one
                               With no answer left: cancel.
  ECERT_TEST_PINENTRY_LOG      a file to which every command received is
                               appended as it came (the module never sends a
                               password to pinentry), and for each GETPIN
                               "GETPIN -> pin|empty|cancel|exit" (never the
                               password itself).
  ECERT_TEST_PINENTRY_NO_REPEAT=1
                               SETREPEAT answers ERR, as older pinentries do,
                               so the client must ask for the confirmation
                               with a second GETPIN.
  ECERT_TEST_PINENTRY_IGNORE_TIMEOUT=1
                               SETTIMEOUT is acknowledged but not honoured, so
                               "never" never answers: only the client's own
                               deadline ends the dialog.
  ECERT_TEST_PINENTRY_SILENT=1 hangs before its greeting: no line is ever sent.
  ECERT_TEST_PINENTRY_LINGER=1 does not exit when the client says BYE or
                               closes the pipes.
  ECERT_TEST_PINENTRY_PID      a file to which the program's process ID is
                               appended when it starts, so that a test can see
                               it gone.

While hanging, the program neither reads nor exits on its own, and ignores
SIGTERM and SIGHUP: only SIGKILL ends it.

With SETREPEAT accepted, one answer stands for both fields of the dialog (a
real pinentry compares them itself): it is sent after "S PIN_REPEATED".
"""
import os
import signal
import sys
import time

ERR_CANCELED = "ERR 83886179 Operation cancelled"  # GPG_ERR_CANCELED, source pinentry
ERR_UNKNOWN = "ERR 536871187 Unknown IPC command"  # GPG_ERR_ASS_UNKNOWN_CMD
ERR_TIMEOUT = "ERR 83886142 Timeout"  # GPG_ERR_TIMEOUT, source pinentry


def send(line):
    sys.stdout.buffer.write(line.encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


def log(text):
    path = os.environ.get("ECERT_TEST_PINENTRY_LOG")
    if path:
        with open(path, "a", encoding="utf-8", errors="replace") as f:
            f.write(text + "\n")


def next_answer():
    path = os.environ.get("ECERT_TEST_PINENTRY_ANSWERS")
    if not path or not os.path.exists(path):
        return "cancel"
    with open(path, "r", encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return "cancel"
    answer = lines.pop(0)
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    return answer


def escape(data):
    out = []
    for b in data:
        if b in (0x25, 0x0D, 0x0A):
            out.append("%%%02X" % b)
        else:
            out.append(chr(b))
    return "".join(out)


def flag(name):
    return os.environ.get(name) == "1"


def hang():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    while True:
        time.sleep(3600)


def main():
    pid_file = os.environ.get("ECERT_TEST_PINENTRY_PID")
    if pid_file:
        with open(pid_file, "a", encoding="utf-8") as f:
            f.write("%d\n" % os.getpid())
    if flag("ECERT_TEST_PINENTRY_SILENT"):
        log("(silent)")
        hang()
    send("OK Pleased to meet you")
    repeat = False
    timeout = 0
    no_repeat = flag("ECERT_TEST_PINENTRY_NO_REPEAT")
    for raw in sys.stdin.buffer:
        line = raw.rstrip(b"\r\n").decode("utf-8", errors="replace")
        command, _, _ = line.partition(" ")
        command = command.upper()
        log(line)
        if command == "BYE":
            # The client may close its end without reading this (libassuan does).
            try:
                send("OK closing connection")
            except BrokenPipeError:
                pass
            if flag("ECERT_TEST_PINENTRY_LINGER"):
                hang()
            return
        if command == "SETREPEAT":
            if no_repeat:
                send(ERR_UNKNOWN)
            else:
                repeat = True
                send("OK")
        elif command == "GETPIN":
            answer = next_answer()
            if answer == "exit":
                log("GETPIN -> exit")
                sys.exit(3)
            if answer == "never":
                log("GETPIN -> never")
                if timeout > 0 and not flag("ECERT_TEST_PINENTRY_IGNORE_TIMEOUT"):
                    time.sleep(timeout)
                    repeat = False
                    send(ERR_TIMEOUT)
                    continue
                hang()
            if answer == "cancel":
                log("GETPIN -> cancel")
                repeat = False
                send(ERR_CANCELED)
                continue
            if answer.startswith("slow:"):
                time.sleep(1)
                answer = answer[len("slow:"):]
            log("GETPIN -> " + ("pin" if answer else "empty"))
            if answer:
                if repeat:
                    send("S PIN_REPEATED")
                # Long answers go in several D lines, as Assuan allows.
                data = escape(answer.encode("utf-8"))
                for i in range(0, len(data), 900):
                    send("D " + data[i:i + 900])
            repeat = False
            send("OK")
        elif command == "SETTIMEOUT":
            _, _, argument = line.partition(" ")
            timeout = int(argument) if argument.strip().isdigit() else 0
            send("OK")
        elif command in ("OPTION", "SETDESC", "SETPROMPT", "SETTITLE", "SETERROR", "SETREPEATERROR",
                         "SETOK", "SETCANCEL", "SETNOTOK", "SETKEYINFO", "RESET", "NOP"):
            send("OK")
        elif command == "GETINFO":
            send("D test-pinentry")
            send("OK")
        else:
            send(ERR_UNKNOWN)
    if flag("ECERT_TEST_PINENTRY_LINGER"):
        hang()


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        # The client went away (it closes the pipes when done, as pinentry expects).
        sys.exit(0)
