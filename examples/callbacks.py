"""Seed 003's callbacks on the MNIST model: EarlyStopping + ModelCheckpoint, a custom LossHistory
callback that plots per-batch losses, and TensorBoard logs.

Files written under `--out`: `checkpoint_path.keras` (the best model by `val_loss`),
`plot_at_epoch_<n>.png` (when matplotlib is installed) and TensorBoard event files in
`tensor_board_log/` (when the `tensorboard` package is installed; view them with
`tensorboard --logdir <out>/tensor_board_log`).

Run: python examples/callbacks.py [--quick] [--out DIR]
"""

import os

from mnist import get_mnist_model, load_mnist, parse_args

import torchkeras as keras  # was: from tensorflow import keras

try:
    import matplotlib

    matplotlib.use("Agg")  # write files, open no window
    from matplotlib import pyplot as plt
except ImportError:
    plt = None


class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs):
        self.per_batch_losses = []

    def on_batch_end(self, batch, logs):
        self.per_batch_losses.append(logs.get("loss"))

    def on_epoch_end(self, epoch, logs):
        plt.clf()
        plt.plot(range(len(self.per_batch_losses)), self.per_batch_losses,
                 label="Training loss for each batch")
        plt.xlabel(f"Batch (epoch {epoch})")
        plt.ylabel("Loss")
        plt.legend()
        plt.savefig(f"plot_at_epoch_{epoch}")  # matplotlib adds .png
        self.per_batch_losses = []


def compiled_model(input_size):
    model = get_mnist_model(input_size)
    model.compile(optimizer="adam",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])  # "accuracy" gives the monitored "val_accuracy"
    return model


def early_stopping_and_checkpoint(data, epochs):
    (train_images, train_labels), (val_images, val_labels) = data
    callbacks = [
        keras.callbacks.EarlyStopping(
            monitor="val_accuracy",  # watch the validation accuracy
            patience=2,  # stop after two epochs without improvement
        ),
        keras.callbacks.ModelCheckpoint(  # save the model after each epoch
            filepath="checkpoint_path.keras",
            monitor="val_loss",
            save_best_only=True,  # only when val_loss improved
        ),
    ]
    model = compiled_model(train_images.shape[1])
    history = model.fit(train_images, train_labels, epochs=epochs, callbacks=callbacks,
                        validation_data=(val_images, val_labels), verbose=2)
    print("history keys:", sorted(history.history))
    best = keras.models.load_model("checkpoint_path.keras")
    print("best checkpoint evaluate:", best.evaluate(val_images, val_labels, verbose=0))


def loss_history(data, epochs):
    if plt is None:
        print("matplotlib is not installed: skipping the LossHistory plots.")
        return
    (train_images, train_labels), (val_images, val_labels) = data
    model = compiled_model(train_images.shape[1])
    model.fit(train_images, train_labels, epochs=epochs, callbacks=[LossHistory()],
              validation_data=(val_images, val_labels), verbose=0)
    print("wrote", os.path.abspath(f"plot_at_epoch_{epochs - 1}.png"))


def tensorboard(data, epochs):
    (train_images, train_labels), (val_images, val_labels) = data
    model = compiled_model(train_images.shape[1])
    log_dir = "tensor_board_log"  # the seed writes to the root folder: /tensor_board_log
    try:
        tensorboard = keras.callbacks.TensorBoard(
            log_dir=log_dir  # the folder for the event files
        )
    except ImportError as error:
        print(f"TensorBoard logging skipped: {error}")
        return
    model.fit(train_images, train_labels, epochs=epochs,
              validation_data=(val_images, val_labels), callbacks=[tensorboard], verbose=0)
    print("TensorBoard logs in", os.path.abspath(log_dir), sorted(os.listdir(log_dir)))


def main():
    args = parse_args(__doc__)
    keras.utils.set_random_seed(0)
    train, val, _ = load_mnist(args.quick)
    os.chdir(args.out)  # the seed's callbacks write into the working directory
    epochs = 2 if args.quick else 10
    early_stopping_and_checkpoint((train, val), epochs)
    loss_history((train, val), epochs)
    tensorboard((train, val), epochs)


if __name__ == "__main__":
    main()
