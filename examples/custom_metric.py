"""Seed 003's custom metric: root mean squared error between one-hot labels and probabilities.

A `keras.metrics.Metric` subclass with state variables (`add_weight`), `update_state`, `result`
and `reset_state`, compiled next to "accuracy" on the MNIST model of `mnist.py`. The seed's
`tf.one_hot`, `tf.reduce_sum`, `tf.square`, `tf.shape`, `tf.sqrt` and `tf.cast` are `keras.ops`.

Run: python examples/custom_metric.py [--quick] [--out DIR]
"""

from mnist import get_mnist_model, load_mnist, parse_args

import torchkeras as keras  # was: import tensorflow as tf (and tf.keras.metrics.Metric)
from torchkeras import ops


class RootMeanSquaredError(keras.metrics.Metric):
    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(name="total_samples", initializer="zeros",
                                             dtype="int32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.one_hot(y_true, ops.shape(y_pred)[1])  # tf.one_hot(y_true, depth=...)
        mse = ops.sum(ops.square(y_true - y_pred))
        self.mse_sum.assign_add(mse)
        num_samples = ops.shape(y_pred)[0]
        self.total_samples.assign_add(num_samples)

    def result(self):
        return ops.sqrt(self.mse_sum / ops.cast(self.total_samples, "float32"))

    def reset_state(self):
        self.mse_sum.assign(0.)
        self.total_samples.assign(0)


def main():
    args = parse_args(__doc__)
    keras.utils.set_random_seed(0)
    (train_images, train_labels), (val_images, val_labels), (test_images, test_labels) = \
        load_mnist(args.quick)
    model = get_mnist_model(train_images.shape[1])
    model.compile(optimizer="adam",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", RootMeanSquaredError()])
    history = model.fit(train_images, train_labels,
                        epochs=1 if args.quick else 3,
                        validation_data=(val_images, val_labels), verbose=2)
    print("history keys:", sorted(history.history))
    test_metrics = model.evaluate(test_images, test_labels, verbose=0)
    print("evaluate (loss, accuracy, rmse):", test_metrics)


if __name__ == "__main__":
    main()
