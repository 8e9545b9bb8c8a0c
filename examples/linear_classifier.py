"""Seed 002, section 3-5: tensors, Variables, GradientTape and a linear classifier trained by hand.

The seed writes this with TensorFlow: `tf.ones`/`tf.square`/`tf.matmul` become `keras.ops`,
`tf.random` becomes `keras.random`, `tf.Variable` becomes `keras.Variable` and
`tf.GradientTape` becomes `torchkeras.GradientTape` (a migration aid: Keras 3 has no tape).
The classifier's predictions and its decision line are plotted to PNG files.

Run: python examples/linear_classifier.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import torchkeras as keras  # was: import tensorflow as tf
from torchkeras import ops

try:
    import matplotlib

    matplotlib.use("Agg")  # write files, open no window
    import matplotlib.pyplot as plt
except ImportError:
    plt = None


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples and steps")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def tensors_and_variables():
    x = ops.ones(shape=(2, 1))  # listing 3.1
    print(x)
    x = ops.zeros(shape=(2, 1))
    print(x)
    x = keras.random.normal(shape=(3, 1), mean=0., stddev=1.)  # listing 3.2
    print(x)
    x = keras.random.uniform(shape=(3, 1), minval=0., maxval=1.)
    print(x)
    x = np.ones(shape=(2, 2))  # listing 3.3: NumPy arrays take assignments
    x[0, 0] = 0.
    # Listing 3.4 shows that a tf.Tensor refuses `x[0, 0] = 0.`; torch tensors accept it, so
    # the error the seed shows does not happen here. Variables are the way to hold state.
    v = keras.Variable(initializer=keras.random.normal(shape=(3, 1)))  # tf: initial_value=
    print(v)
    v.assign(ops.ones((3, 1)))  # listing 3.6
    v[0, 0].assign(3.)  # listing 3.7
    v.assign_add(ops.ones((3, 1)))  # listing 3.8
    print(v)
    a = ops.ones((2, 2))  # listing 3.9
    b = ops.square(a)
    c = ops.sqrt(a)
    d = b + c
    e = ops.matmul(a, b)
    e *= d
    print("e =", ops.convert_to_numpy(e).tolist())


def gradient_tapes():
    input_var = keras.Variable(initializer=3.)  # listing 3.10
    with keras.GradientTape() as tape:
        result = ops.square(input_var)
    gradient = tape.gradient(result, input_var)
    print("d(x^2)/dx at 3:", float(gradient))

    input_const = ops.convert_to_tensor(3.)  # listing 3.11: tf.constant
    with keras.GradientTape() as tape:
        tape.watch(input_const)
        result = ops.square(input_const)
    gradient = tape.gradient(result, input_const)
    print("watched constant gradient:", float(gradient))

    # Listing 3.12 is illegible in the seed; this is the book's nested-tape example.
    time = keras.Variable(initializer=0.)
    with keras.GradientTape() as outer_tape:
        with keras.GradientTape() as inner_tape:
            position = 4.9 * time ** 2
        speed = inner_tape.gradient(position, time)
    acceleration = outer_tape.gradient(speed, time)
    print("acceleration:", float(acceleration))


def point_clouds(num_samples_per_class):
    cov = [[1, 0.5], [0.5, 1]]  # listings 3.13-3.15
    negative_samples = np.random.multivariate_normal(
        mean=[0, 3], cov=cov, size=num_samples_per_class)
    positive_samples = np.random.multivariate_normal(
        mean=[3, 0], cov=cov, size=num_samples_per_class)
    inputs = np.vstack((negative_samples, positive_samples)).astype(np.float32)
    targets = np.vstack((np.zeros((num_samples_per_class, 1), dtype="float32"),
                         np.ones((num_samples_per_class, 1), dtype="float32")))
    return inputs, targets


def train_classifier(inputs, targets, steps):
    # Listing 3.17 is missing from the seed; this is the book's: W random, b zeros.
    input_dim = 2
    output_dim = 1
    W = keras.Variable(initializer=keras.random.uniform(shape=(input_dim, output_dim)))
    b = keras.Variable(initializer=ops.zeros(shape=(output_dim,)))

    def model(inputs):  # listing 3.18 names the argument `input` but uses `inputs`
        return ops.matmul(inputs, W) + b

    def square_loss(targets, predictions):  # listing 3.19
        per_sample_losses = ops.square(targets - predictions)
        return ops.mean(per_sample_losses)  # tf.reduce_mean

    learning_rate = 0.1

    def training_step(inputs, targets):  # listing 3.20
        with keras.GradientTape() as tape:
            predictions = model(inputs)
            loss = square_loss(targets, predictions)
        grad_loss_wrt_W, grad_loss_wrt_b = tape.gradient(loss, [W, b])
        W.assign_sub(grad_loss_wrt_W * learning_rate)  # the seed writes `w.assign_sub`
        b.assign_sub(grad_loss_wrt_b * learning_rate)
        return loss

    inputs_t, targets_t = ops.convert_to_tensor(inputs), ops.convert_to_tensor(targets)
    for step in range(steps):  # listing 3.21
        loss = training_step(inputs_t, targets_t)
        print(f"Loss at step {step}: {loss:.4f}")
    return model, W, b


def plot(inputs, targets, model, W, b, out):
    if plt is None:
        print("matplotlib is not installed: skipping the plots.")
        return
    plt.scatter(inputs[:, 0], inputs[:, 1], c=targets[:, 0])  # listing 3.16
    plt.savefig(os.path.join(out, "point_clouds.png"))
    plt.clf()
    # Torch tensors (and Variables) that need gradients do not convert to NumPy implicitly,
    # as with Keras' torch backend: convert them for matplotlib and NumPy arithmetic.
    predictions = ops.convert_to_numpy(model(inputs))
    W, b = W.numpy(), b.numpy()
    x = np.linspace(-1, 4, 100)
    y = - W[0] / W[1] * x + (0.5 - b) / W[1]
    plt.plot(x, y, "-r")
    plt.scatter(inputs[:, 0], inputs[:, 1], c=predictions[:, 0] > 0.5)
    plt.savefig(os.path.join(out, "decision_line.png"))
    print("wrote", os.path.join(out, "decision_line.png"))


def main():
    args = parse_args()
    keras.utils.set_random_seed(0)
    tensors_and_variables()
    gradient_tapes()
    inputs, targets = point_clouds(100 if args.quick else 1000)
    model, W, b = train_classifier(inputs, targets, steps=5 if args.quick else 40)
    predictions = ops.convert_to_numpy(model(inputs))
    print(f"accuracy: {np.mean((predictions > 0.5) == targets):.3f}")
    plot(inputs, targets, model, W, b, args.out)


if __name__ == "__main__":
    main()
