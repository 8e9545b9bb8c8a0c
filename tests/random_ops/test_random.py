"""keras.random: seeding rules, SeedGenerator state, devices and argument errors.

Bit-equality with Keras' draws is checked in compat/test_random.py.
"""

import pytest
import torch

import torchkeras as keras


def test_int_seed_repeats_and_generator_advances():
    torch.testing.assert_close(keras.random.normal((3,), seed=1), keras.random.normal((3,), seed=1))
    generator = keras.random.SeedGenerator(3)
    first = keras.random.uniform((4,), seed=generator)
    second = keras.random.uniform((4,), seed=generator)
    assert not torch.equal(first, second)
    assert generator.state.tolist() == [3, 2]
    again = keras.random.SeedGenerator(3)
    torch.testing.assert_close(keras.random.uniform((4,), seed=again), first)


def test_set_random_seed_makes_unseeded_draws_repeat():
    keras.utils.set_random_seed(4)
    first = [keras.random.normal((2,)) for _ in range(2)]
    keras.utils.set_random_seed(4)
    second = [keras.random.normal((2,)) for _ in range(2)]
    assert not torch.equal(first[0], first[1])
    for a, b in zip(first, second):
        torch.testing.assert_close(a, b)


def test_seed_generator_config_and_names():
    keras.backend.clear_session()
    generator = keras.random.SeedGenerator(seed=9)
    assert generator.get_config() == {"seed": 9, "name": "seed_generator"}
    clone = keras.random.SeedGenerator.from_config(generator.get_config())
    assert clone.state.tolist() == [9, 0]
    assert keras.random.SeedGenerator().name == "seed_generator_1"


def test_draws_follow_the_device_scope():
    with keras.device("cpu"):
        assert keras.random.randint((2,), 0, 3, seed=1).device.type == "cpu"
        assert keras.random.randint((2,), 0, 3, seed=1).dtype == torch.int32


def test_dropout_and_shuffle_keep_the_input_shape():
    x = torch.arange(12.0).reshape(3, 4)
    dropped = keras.random.dropout(x, 0.5, seed=2)
    kept = dropped != 0
    torch.testing.assert_close(dropped[kept], x[kept] * 2)
    shuffled = keras.random.shuffle(x, axis=1, seed=2)  # each row permuted on its own
    assert [sorted(row) for row in shuffled.tolist()] == x.tolist()
    assert not torch.equal(shuffled, x)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: keras.random.normal((2, None)), "fully defined shape"),
        (lambda: keras.random.normal((2,), seed="a"), "SeedGenerator"),
        (lambda: keras.random.SeedGenerator(seed=1.5), "must be an integer"),
        (lambda: keras.random.uniform((2,), dtype="int32"), "floating point"),
    ],
)
def test_bad_arguments_say_what_was_expected(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_draws_on_cuda_need_no_host_read():
    with keras.device("cuda"):
        generator = keras.random.SeedGenerator(1)
        with torch.cuda.device(0):
            torch.cuda.set_sync_debug_mode("error")
            try:
                values = keras.random.normal((8,), seed=generator)
            finally:
                torch.cuda.set_sync_debug_mode("default")
    assert values.device.type == "cuda"
