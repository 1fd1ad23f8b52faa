"""Locust users for `python -m bench --only load` (bench/load.py starts locust with this file, once
per endpoint). Not imported by Django: the plan (tokens and paths) comes as JSON in the file named by
BENCH_LOAD_PLAN, the endpoint to hit in BENCH_LOAD_ENDPOINT, and every response's time goes to the
JSON file BENCH_LOAD_OUT at the end (exact milliseconds: locust's own percentiles are rounded)."""

import json
import os
import random
import time

from locust import FastHttpUser, constant, events, task

with open(os.environ["BENCH_LOAD_PLAN"], encoding="utf-8") as plan:
    PLAN = json.load(plan)
ENDPOINT = PLAN[os.environ["BENCH_LOAD_ENDPOINT"]]
SAMPLES: list[tuple[float, float]] = []  # (when it ended, epoch seconds; response time, ms)
FAILURES: list[str] = []


class RegisterReader(FastHttpUser):
    """One member of staff's client, asking again as soon as it has its answer (a closed loop: the
    number of users is the number of requests in flight)."""

    wait_time = constant(0)
    headers = {
        "Authorization": f"Token {ENDPOINT['token']}",
        # As behind the TLS-terminating proxy of a deployment (production settings redirect plain HTTP).
        "X-Forwarded-Proto": "https",
        "Accept": "application/json",
    }

    @task
    def read(self):
        path = random.choice(ENDPOINT["paths"])
        with self.client.get(path, headers=self.headers, name=ENDPOINT["name"], catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


@events.request.add_listener
def record(response_time, exception=None, **kwargs):
    if exception is not None:
        FAILURES.append(str(exception)[:200])
    else:
        SAMPLES.append((time.time(), response_time))


@events.quitting.add_listener
def dump(environment, **kwargs):
    with open(os.environ["BENCH_LOAD_OUT"], "w", encoding="utf-8") as out:
        json.dump({"samples": SAMPLES, "failures": FAILURES}, out)
