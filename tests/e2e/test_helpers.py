"""The suite's own waiting helper: "not yet" must never fail a test before its deadline."""

import time

import pytest

from httpclient import wait_until


def test_wait_until_retries_a_predicate_that_raises_until_it_succeeds(tmp_path):
    target = tmp_path / "late"
    calls = []

    def predicate():
        calls.append(1)
        if len(calls) == 3:
            target.write_text("ready")
        return target.read_text()          # FileNotFoundError on the first two polls

    assert wait_until(predicate, 5, interval=0.01) == "ready"
    assert len(calls) == 3


def test_wait_until_reraises_the_last_exception_once_the_deadline_passes(tmp_path):
    missing = tmp_path / "never"
    started = time.monotonic()
    with pytest.raises(FileNotFoundError):
        wait_until(missing.read_text, 0.3, interval=0.05)
    assert time.monotonic() - started >= 0.3


def test_wait_until_returns_the_last_falsy_value_at_the_deadline():
    polls = iter([ConnectionRefusedError(), 0, None, []] + [[]] * 1000)

    def predicate():
        value = next(polls)
        if isinstance(value, Exception):
            raise value
        return value

    assert wait_until(predicate, 0.2, interval=0.01) == []
