"""Runs a function on several CPU processes joined by gloo, as `torchrun` would start them.

The children see no GPU. Each process gets torchrun's environment (`WORLD_SIZE`, `RANK`, `LOCAL_RANK`, `MASTER_ADDR`,
`MASTER_PORT` on a free port), so torchkeras detects the launch by itself. A run that does
not finish within `timeout` seconds is killed and reported as a deadlock.
"""

import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_ranks(function, folder, world=2, timeout=60, args=()):
    """Runs `function(rank, folder, *args)` on `world` spawned processes; raises on failure."""
    port = free_port()
    hidden = os.environ.get("CUDA_VISIBLE_DEVICES")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""  # CPU + gloo, also on a machine with one GPU
    try:
        context = mp.start_processes(
            _entry, args=(function, world, port, str(folder), args), nprocs=world, join=False,
            start_method="spawn",
        )
    finally:
        if hidden is None:
            del os.environ["CUDA_VISIBLE_DEVICES"]
        else:
            os.environ["CUDA_VISIBLE_DEVICES"] = hidden
    deadline = time.monotonic() + timeout
    while not context.join(timeout=1.0):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            raise AssertionError(f"ranks still running after {timeout} s: deadlock")


def _entry(rank, function, world, port, folder, args):
    os.environ.update({
        "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "WORLD_SIZE": str(world),
        "RANK": str(rank), "LOCAL_RANK": str(rank),
    })
    torch.set_num_threads(1)
    with open(os.path.join(folder, f"stdout{rank}.txt"), "w") as stdout:
        sys.stdout = stdout
        try:
            function(rank, folder, *args)
        finally:
            sys.stdout = sys.__stdout__
            if dist.is_initialized():
                dist.destroy_process_group()
