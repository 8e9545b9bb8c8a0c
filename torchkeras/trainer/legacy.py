"""tf.keras 2's `fit_generator`, `evaluate_generator` and `predict_generator`, kept as aliases.

Keras 3 removed them (`fit`, `evaluate` and `predict` take generators directly); scripts
written for tf.keras 2 still call them, so they run here with a `DeprecationWarning` that
names the Keras 3 spelling. `max_queue_size`, `workers` and `use_multiprocessing` are accepted
and have no effect: the generator is read in the training process (for parallel loading pass a
`torch.utils.data.DataLoader` with `num_workers` to `fit`).
"""

import warnings


def _warn_renamed(old, new):
    warnings.warn(
        f"`Model.{old}` is deprecated and was removed in Keras 3: use `Model.{new}`, which "
        "accepts generators.",
        DeprecationWarning,
        stacklevel=3,
    )


class GeneratorMethods:
    """The generator methods of tf.keras 2, forwarding to `fit`/`evaluate`/`predict`."""

    def fit_generator(
        self,
        generator,
        steps_per_epoch=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_data=None,
        validation_steps=None,
        validation_freq=1,
        class_weight=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        shuffle=True,
        initial_epoch=0,
    ):
        """Deprecated: `fit(generator, steps_per_epoch=...)` (tf.keras 2's argument order)."""
        _warn_renamed("fit_generator", "fit")
        return self.fit(
            generator,
            steps_per_epoch=steps_per_epoch,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            validation_data=validation_data,
            validation_steps=validation_steps,
            validation_freq=validation_freq,
            class_weight=class_weight,
            shuffle=shuffle,
            initial_epoch=initial_epoch,
        )

    def evaluate_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """Deprecated: `evaluate(generator, steps=...)`."""
        _warn_renamed("evaluate_generator", "evaluate")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """Deprecated: `predict(generator, steps=...)`."""
        _warn_renamed("predict_generator", "predict")
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)
