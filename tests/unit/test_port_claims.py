"""Ports handed to stacks: never the same one twice, in this process or across processes.

Stacks that start at the same moment (make test's three jobs, the bench's two
stacks) each choose ports before their servers bind them; a port given twice
lets one stack's health check find the other's server and call it its own.
"""

from __future__ import annotations

import fcntl
import os

import pytest

from stack import processes

# Above PORT_RANGE and below the kernel's ephemeral ports: no stack of ours or outgoing
# connection takes them while the test runs.
FIVE_PORTS = (32300, 32304)


@pytest.fixture
def five_ports(monkeypatch: pytest.MonkeyPatch, tmp_path) -> tuple[int, int]:
    """A claims folder of the test's own, and a range of five ports."""
    monkeypatch.setattr(processes, "PORT_CLAIMS", tmp_path)
    monkeypatch.setattr(processes, "PORT_RANGE", FIVE_PORTS)
    monkeypatch.setattr(processes, "_claimed", {})
    return FIVE_PORTS


def test_one_process_never_gets_a_port_twice(five_ports: tuple[int, int]) -> None:
    ports = {processes.free_port() for _ in range(5)}
    assert ports == set(range(five_ports[0], five_ports[1] + 1))
    with pytest.raises(RuntimeError, match="no free port"):
        processes.free_port()


def test_a_port_another_holder_claimed_is_not_given(five_ports: tuple[int, int], tmp_path) -> None:
    # Another process's claim is an flock on its own open file, as these are.
    first = five_ports[0]
    others = [os.open(tmp_path / str(port), os.O_RDWR | os.O_CREAT) for port in (first, first + 2)]
    for descriptor in others:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        assert {processes.free_port() for _ in range(3)} == {first + 1, first + 3, first + 4}
        with pytest.raises(RuntimeError, match="no free port"):
            processes.free_port()
    finally:
        for descriptor in others:
            os.close(descriptor)  # as the kernel does when their process exits
    assert {processes.free_port() for _ in range(2)} == {first, first + 2}
