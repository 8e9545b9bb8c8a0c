"""TensorFlow's hash buckets of integers, computed with torch ops on the integers' device.

TensorFlow hashes an integer by its decimal string (`tf.as_string`), so the digits are written
into a byte matrix and FarmHash Fingerprint64 (strings of at most 20 bytes: its two short
paths) or keyed SipHash-2-4 run on whole columns. uint64 arithmetic is int64 arithmetic with
wrap-around; right shifts are made logical by masking. Equal to `string_hash` bit for bit.
"""

import torch

_WIDTH = 24  # bytes per row: "-9223372036854775808" has 20, plus room for 8-byte reads


def _signed(value):
    return value - (1 << 64) if value >= 1 << 63 else value


_K0 = _signed(0xC3A5C85C97CB3127)
_K1 = _signed(0xB492B66FBE98F273)
_K2 = _signed(0x9AE16A3B2F90404F)


def _shr(x, shift):
    return (x >> shift) & ((1 << (64 - shift)) - 1)


def _rotr(x, shift):
    return _shr(x, shift) | (x << (64 - shift))


def _rotl(x, shift):
    return (x << shift) | _shr(x, 64 - shift)


def decimal_bytes(values):
    """`(bytes, lengths)`: the decimal strings of int64 `values` as an `(n, 24)` int64 matrix."""
    values = values.reshape(-1).long()
    magnitude = torch.where(values > 0, -values, values)  # <= 0, so int64 min does not overflow
    digits = []
    for _ in range(19):
        digits.append(-torch.fmod(magnitude, 10))
        magnitude = torch.div(magnitude, 10, rounding_mode="trunc")
    digits = torch.stack(digits, dim=1)  # (n, 19), least significant first
    position = torch.arange(19, device=values.device)
    count = torch.where(digits != 0, position + 1, 0).amax(dim=1).clamp(min=1)
    sign = (values < 0).long()
    lengths = sign + count
    j = torch.arange(_WIDTH, device=values.device)
    k = (lengths[:, None] - 1 - j).clamp(0, 18)
    chars = 48 + digits.gather(1, k)
    chars = torch.where(j < sign[:, None], 45, chars)  # "-"
    return torch.where(j < lengths[:, None], chars, 0), lengths


def _fetch(data, offset, size):
    """Little-endian `size`-byte words of each row of `data` at per-row byte `offset`."""
    columns = offset[:, None] + torch.arange(size, device=data.device)
    parts = data.gather(1, columns) << (8 * torch.arange(size, device=data.device))
    return parts.sum(dim=1) if size < 8 else _or_columns(parts)


def _or_columns(parts):
    out = parts[:, 0]
    for i in range(1, parts.shape[1]):
        out = out | parts[:, i]
    return out


def _hash_len16(u, v, mul):
    a = (u ^ v) * mul
    a = a ^ _shr(a, 47)
    b = (v ^ a) * mul
    b = b ^ _shr(b, 47)
    return b * mul


def fingerprint64(data, lengths):
    """FarmHash Fingerprint64 of each row (`lengths` <= 32 bytes) as int64 bit patterns."""
    zero = torch.zeros_like(lengths)
    mul = _K2 + lengths * 2
    a8 = _fetch(data, zero, 8) + _K2
    b8 = _fetch(data, (lengths - 8).clamp(min=0), 8)
    long8 = _hash_len16(_rotr(b8, 37) * mul + a8, (_rotr(a8, 25) + b8) * mul, mul)
    a4 = _fetch(data, zero, 4)
    b4 = _fetch(data, (lengths - 4).clamp(min=0), 4)
    long4 = _hash_len16(lengths + (a4 << 3), b4, mul)
    first, middle = data[:, 0], data.gather(1, (lengths >> 1)[:, None])[:, 0]
    last = data.gather(1, (lengths - 1).clamp(min=0)[:, None])[:, 0]
    y, z = first + (middle << 8), lengths + (last << 2)
    short = ((y * _K2) ^ (z * _K0)) * 1
    short = (short ^ _shr(short, 47)) * _K2
    out = torch.where(lengths >= 4, long4, short)
    out = torch.where(lengths >= 8, long8, out)
    return torch.where(lengths > 16, _hash_len17to32(data, lengths, mul), out)


def _hash_len17to32(data, lengths, mul):
    zero = torch.zeros_like(lengths)
    a = _fetch(data, zero, 8) * _K1
    b = _fetch(data, zero + 8, 8)
    c = _fetch(data, (lengths - 8).clamp(min=0), 8) * mul
    d = _fetch(data, (lengths - 16).clamp(min=0), 8) * _K2
    return _hash_len16(_rotr(a + b, 43) + _rotr(c, 30) + d, a + _rotr(b + _K2, 18) + c, mul)


def _sip_round(v0, v1, v2, v3):
    v0 = v0 + v1
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = v2 + v3
    v3 = _rotl(v3, 16) ^ v2
    v0 = v0 + v3
    v3 = _rotl(v3, 21) ^ v0
    v2 = v2 + v1
    v1 = _rotl(v1, 17) ^ v2
    return v0, v1, _rotl(v2, 32), v3


def siphash24(key, data, lengths):
    """Keyed SipHash-2-4 of each row (`lengths` < 24 bytes) as int64 bit patterns."""
    k0, k1 = (int(k) & ((1 << 64) - 1) for k in key)
    constants = (0x736F6D6570736575, 0x646F72616E646F6D, 0x6C7967656E657261, 0x7465646279746573)
    v = [torch.full_like(lengths, _signed(c ^ k)) for c, k in zip(constants, (k0, k1, k0, k1))]
    full_blocks = lengths // 8
    for block in range(_WIDTH // 8):
        word = _fetch(data, torch.full_like(lengths, 8 * block), 8)
        final = block == full_blocks
        word = torch.where(final, word | (lengths << 56), word)  # data is zero past the end
        mixed = list(_sip_round(*_sip_round(v[0], v[1], v[2], v[3] ^ word)))
        mixed[0] = mixed[0] ^ word
        active = block <= full_blocks
        v = [torch.where(active, new, old) for new, old in zip(mixed, v)]
    v[2] = v[2] ^ 0xFF
    for _ in range(4):
        v = list(_sip_round(*v))
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def unsigned_mod(bits, divisor):
    """`bits` read as uint64, modulo `divisor` (< 2**62), as int64."""
    half = torch.remainder(_shr(bits, 1), divisor)
    return torch.remainder(half * 2 + (bits & 1), divisor)


def hash_integers(values, num_buckets, key=None):
    """TF's `to_hash_bucket_fast` (or `_strong` with `key`) of `as_string(values)`, same shape."""
    data, lengths = decimal_bytes(values)
    bits = fingerprint64(data, lengths) if key is None else siphash24(key, data, lengths)
    return unsigned_mod(bits, num_buckets).reshape(values.shape)
