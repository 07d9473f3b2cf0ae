"""Password hashing (argon2), run in a small thread pool so that it never blocks the event loop.

An argon2 check costs tens of milliseconds of CPU by design; on the event loop every other
request of the process (even ``/healthz``) would wait for it. argon2-cffi releases the GIL while
hashing, so the pool's threads run beside the loop.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# As many hashes at once as there are cores: more would only queue inside the CPU.
_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="lading-password")
# Verifying against this keeps the time of a login for an unknown user like a real one.
DUMMY_HASH = _hasher.hash("lading-dummy-password")


def hash_password(password: str) -> str:
    """Hash on the calling thread (scripts, tests); use :func:`hash_off_loop` in a request."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_off_loop(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_pool, hash_password, password)


async def verify_off_loop(password_hash: str, password: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(
        _pool, verify_password, password_hash, password
    )
