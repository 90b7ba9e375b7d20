"""The record of a run: what the nbval plugin tells the grader, over a pipe the grader holds.

The plugin (:mod:`._nbval_plugin`, inside the run) writes to an inherited
pipe; nothing of it is a file the run could replace with a FIFO, a link or a
huge file. The stream is a sequence of

* **events**: one JSON object per line (``{"event": "start", "cell": 3}``);
* **results**: an ``{"event": "exchange", "exercise": ID, "sizes": [J, N]}``
  line followed by exactly ``J + N`` raw bytes, the JSON and ``.npz`` files a
  check cell wrote (:mod:`nncourse.checks._exchange`), relayed by the plugin.

:class:`RecordReader` parses it incrementally without ever blocking (the
grader feeds it what a non-blocking read returned), keeps the events in
memory under a cap, and streams results to files in the grader's own folder
for the run, so a run's results never sit in the grader's memory. Standard
library only: the plugin imports it too.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

MAX_LINE = 64 * 2**10
MAX_EVENT_BYTES = 8 * 2**20
#: Largest results one check may hand over (the JSON structure and the arrays).
MAX_JSON_BYTES = 2_000_000
MAX_NPZ_BYTES = 16 * 2**20
#: What an exercise id (and so a result file's name) may look like.
EXERCISE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class RecordError(ValueError):
    """The record does not follow the protocol: the run's harness is broken."""


def _no_constants(name: str):
    raise RecordError(f"a non-finite number ({name}) in an event")


def event_line(event: dict) -> bytes:
    return (json.dumps(event, allow_nan=False) + "\n").encode()


def exchange_frame(exercise: str, json_data: bytes, npz_data: bytes) -> bytes:
    return event_line({"event": "exchange", "exercise": exercise, "sizes": [len(json_data), len(npz_data)]}) \
        + json_data + npz_data


class RecordReader:
    """Parse a record as it arrives; results go to ``exchange_dir/<exercise>.json|.npz``."""

    def __init__(self, exchange_dir: Path):
        self.exchange_dir = Path(exchange_dir)
        self.events: list[dict] = []
        self.event_bytes = 0
        self._line = bytearray()
        self._blob: list | None = None  # [exercise, [(suffix, remaining), ...], open file or None]

    @property
    def in_progress(self) -> bool:
        """True when the stream stopped inside a line or a result (the writer was killed)."""
        return bool(self._line) or self._blob is not None

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while True:
            if self._blob is not None:
                if not view and self._blob[1][0][1] > 0:
                    return
                view = self._feed_blob(view)  # also finishes a part of 0 bytes
                continue
            if not view:
                return
            newline = bytes(view[:MAX_LINE + 1 - len(self._line)]).find(b"\n")
            if newline < 0:
                self._line += view[:MAX_LINE + 1 - len(self._line)]
                if len(self._line) > MAX_LINE:
                    raise RecordError(f"an event line longer than {MAX_LINE:,} bytes")
                return
            self._line += view[:newline]
            view = view[newline + 1:]
            line, self._line = bytes(self._line), bytearray()
            self._event(line)

    def _event(self, line: bytes) -> None:
        self.event_bytes += len(line) + 1
        if self.event_bytes > MAX_EVENT_BYTES:
            raise RecordError(f"more than {MAX_EVENT_BYTES:,} bytes of events")
        try:
            event = json.loads(line.decode("utf-8"), parse_constant=_no_constants)
        except RecordError:
            raise
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise RecordError(f"an unreadable event line ({line[:80]!r})") from None
        if not isinstance(event, dict) or not isinstance(event.get("event"), str):
            raise RecordError("an event that is not a JSON object with an 'event' name")
        if event["event"] == "exchange" and "sizes" in event:
            exercise, sizes = event.get("exercise"), event.get("sizes")
            if not (isinstance(exercise, str) and EXERCISE_ID.fullmatch(exercise) and isinstance(sizes, list)
                    and len(sizes) == 2 and all(isinstance(n, int) and not isinstance(n, bool) for n in sizes)
                    and 0 <= sizes[0] <= MAX_JSON_BYTES and 0 <= sizes[1] <= MAX_NPZ_BYTES):
                raise RecordError("a malformed result header")
            self._blob = [exercise, [("json", sizes[0]), ("npz", sizes[1])], None]
        self.events.append(event)

    def _feed_blob(self, view: memoryview) -> memoryview:
        exercise, parts, fh = self._blob
        suffix, remaining = parts[0]
        if fh is None:
            fh = self._blob[2] = open(self.exchange_dir / f".{exercise}.{suffix}.part", "wb")
        take = min(remaining, len(view))
        fh.write(view[:take])
        remaining -= take
        if remaining:
            parts[0] = (suffix, remaining)
        else:
            fh.close()
            os.replace(self.exchange_dir / f".{exercise}.{suffix}.part", self.exchange_dir / f"{exercise}.{suffix}")
            parts.pop(0)
            self._blob = [exercise, parts, None] if parts else None
        return view[take:]

    def close(self) -> None:
        if self._blob is not None and self._blob[2] is not None:
            self._blob[2].close()


def finite_number(value, default: float = 0.0) -> float:
    """A finite float from an event field, or ``default``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return default
