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

With SETREPEAT accepted, one answer stands for both fields of the dialog (a
real pinentry compares them itself): it is sent after "S PIN_REPEATED".
"""
import os
import sys
import time

ERR_CANCELED = "ERR 83886179 Operation cancelled"  # GPG_ERR_CANCELED, source pinentry
ERR_UNKNOWN = "ERR 536871187 Unknown IPC command"  # GPG_ERR_ASS_UNKNOWN_CMD


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


def main():
    send("OK Pleased to meet you")
    repeat = False
    no_repeat = os.environ.get("ECERT_TEST_PINENTRY_NO_REPEAT") == "1"
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
        elif command in ("OPTION", "SETDESC", "SETPROMPT", "SETTITLE", "SETERROR", "SETREPEATERROR",
                         "SETOK", "SETCANCEL", "SETNOTOK", "SETKEYINFO", "SETTIMEOUT", "RESET", "NOP"):
            send("OK")
        elif command == "GETINFO":
            send("D test-pinentry")
            send("OK")
        else:
            send(ERR_UNKNOWN)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        # The client went away (it closes the pipes when done, as pinentry expects).
        sys.exit(0)
