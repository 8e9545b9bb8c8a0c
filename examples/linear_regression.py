"""y = A·X + b: seed 001's complete example (fit, loss plot, legacy `.h5` save, load, predict).

Ten inputs, a noisy linear target, a three-Dense functional model trained with RMSprop on the mean
squared error; the training loss is plotted to `loss.png` (when matplotlib is installed) and the
model goes through the legacy HDF5 format the seed uses (`model.save("....h5")`).

Run: python examples/linear_regression.py [--quick] [--out DIR]
"""

import argparse
import os
import random
import tempfile
import time

import numpy as np

# was: from tensorflow.keras import optimizers,losses,metrics,layers,models
from torchkeras import layers, losses, metrics, models, optimizers

try:
    import matplotlib

    matplotlib.use("Agg")  # write files, open no window
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

param_count = 10  # number of parameters


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples and epochs")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def main():
    args = parse_args()
    random.seed(0)
    np.random.seed(0)

    # random parameters
    random_a = [random.randint(20, 100) for _ in range(param_count)]
    random_b = random.randint(2, 8) * (1 - 2 * random.randint(0, 1))

    # make data: y = A*X + b, plus noise
    def createData(count):
        X = np.array([np.linspace(-1, 1, count) for _ in range(param_count)]).T
        Y = np.dot(X, np.array(random_a)) + np.full((count,), random_b) \
            + np.random.randn(count) * 0.1 * min(random_a)
        return X, Y

    train_X, train_Y = createData(100)
    test_X, test_Y = createData(30)

    # model
    inputs = layers.Input(shape=(param_count,))
    layer1 = layers.Dense(64)(inputs)
    layer2 = layers.Dense(64)(layer1)
    outputs = layers.Dense(1)(layer2)
    model = models.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=optimizers.RMSprop(), loss=losses.mean_squared_error,
                  metrics=[metrics.mae])

    # train. The seed drops fit's result and then plots `history`: it is kept here.
    history = model.fit(train_X, train_Y, epochs=3 if args.quick else 100,
                        validation_data=[test_X, test_Y], verbose=2)
    print("history keys:", sorted(history.history))

    # check
    print("evaluate:", model.evaluate(test_X, test_Y, verbose=0))

    # loss curve (plt.show() in the seed; written to a file here)
    if plt is None:
        print("matplotlib is not installed: skipping the loss plot.")
    else:
        plt.plot(np.arange(len(history.history["loss"])), history.history["loss"])
        plt.title("Model loss")  # the seed says 'Model accuracy' over a loss curve
        plt.ylabel("loss")
        plt.xlabel("epoch")
        plt.legend(["Train"], loc="upper right")
        plt.savefig(os.path.join(args.out, "loss.png"))
        print("wrote", os.path.join(args.out, "loss.png"))

    # save (the legacy HDF5 format: torchkeras warns as Keras 3 does and writes it)
    t = time.localtime()
    filename = os.path.join(
        args.out,
        f"keras_{t.tm_year}_{t.tm_mon}_{t.tm_mday}_{t.tm_hour}_{t.tm_min}_{t.tm_sec}.h5",
    )
    model.save(filename)
    del model

    # use
    the_model = models.load_model(filename)
    x_predict = np.array([random.sample(range(-10, 10), 10) for _ in range(param_count)]).T
    y_predict = the_model.predict(x_predict, verbose=0)
    y_should = np.dot(x_predict, random_a) + np.full((10,), random_b)
    print(x_predict, y_predict.T[0], y_should)


if __name__ == "__main__":
    main()
