#!/usr/bin/env python3
"""Calibrates the machine the way the benchmark targets are stated: SQLite (WAL,
synchronous=FULL, a 200-byte row) one-row commits per second, and rows per second at 100
rows per commit. Python's sqlite3 only, so the figures do not depend on tongban's code.

    python3 bench/calibrate.py
"""
import os
import sqlite3
import tempfile
import time

ROW = "x" * 200


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("pragma journal_mode = wal")
    db.execute("pragma synchronous = full")
    db.execute("create table if not exists t (id integer primary key, v text not null)")
    return db


def one_row_commits(db, n):
    start = time.perf_counter()
    for _ in range(n):
        db.execute("begin")
        db.execute("insert into t (v) values (?)", (ROW,))
        db.execute("commit")
    return n / (time.perf_counter() - start)


def rows_at_100_per_commit(db, commits):
    start = time.perf_counter()
    for _ in range(commits):
        db.execute("begin")
        db.executemany("insert into t (v) values (?)", [(ROW,)] * 100)
        db.execute("commit")
    return commits * 100 / (time.perf_counter() - start)


with tempfile.TemporaryDirectory() as d:
    db = connect(os.path.join(d, "calibrate.db"))
    print(f"one-row commits/s:        {one_row_commits(db, 5000):>10,.0f}")
    print(f"rows/s, 100 per commit:   {rows_at_100_per_commit(db, 2000):>10,.0f}")
