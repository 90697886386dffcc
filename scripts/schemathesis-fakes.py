#!/usr/bin/env python3
"""Local fakes of the outside services the schemathesis run reaches, on 127.0.0.1 only.

Open-Meteo's forecast and archive APIs (`GET /v1/forecast`, `GET /v1/archive`): a `daily` object
with one value per day of `start_date..end_date`, as Open-Meteo answers. So the weather routes are
exercised end to end instead of answering 503 for want of a network.

Usage: schemathesis-fakes.py PORT   (prints "ready" once it listens)
"""

import datetime
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def days(start, end):
    first = datetime.date.fromisoformat(start)
    last = datetime.date.fromisoformat(end)
    out = []
    while first <= last and len(out) < 400:
        out.append(first.isoformat())
        first += datetime.timedelta(days=1)
    return out


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        url = urlparse(self.path)
        if url.path not in ("/v1/forecast", "/v1/archive"):
            self.answer(404, {"error": True, "reason": "not found"})
            return
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            time = days(q["start_date"], q["end_date"])
        except (KeyError, ValueError):
            self.answer(400, {"error": True, "reason": "bad dates"})
            return
        n = len(time)
        daily = {"time": time, "temperature_2m_max": [21.5] * n}
        if url.path == "/v1/forecast":
            daily["precipitation_probability_mean"] = [10.0] * n
        daily["cloudcover_mean"] = [40.0] * n
        self.answer(200, {"latitude": float(q.get("latitude", 0)), "daily": daily})

    def answer(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *_args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
