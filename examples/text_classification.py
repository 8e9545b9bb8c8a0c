"""Text classification end to end on raw strings, as in keras.io's "text classification from
scratch": a `TextVectorization` layer inside the model, `keras.ops` on symbolic tensors, training
on NumPy arrays of strings, saving, and predicting on new raw text.

Run: python examples/text_classification.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import torchkeras as keras
from torchkeras import layers

POSITIVE = ["great", "wonderful", "loved", "excellent", "fun", "brilliant"]
NEGATIVE = ["awful", "boring", "hated", "terrible", "dull", "poor"]
FILLER = ["the", "movie", "was", "plot", "acting", "and", "really", "quite", "a", "story"]


def make_reviews(samples, seed=0):
    """Made-up reviews: filler words plus two opinion words; label 1 when they are positive."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=samples)
    reviews = []
    for label in labels:
        opinion = rng.choice(POSITIVE if label else NEGATIVE, size=2)
        words = list(rng.choice(FILLER, size=6)) + list(opinion)
        rng.shuffle(words)
        reviews.append(" ".join(words))
    return np.array(reviews), labels.astype("float32")


def build_model(vectorizer):
    text = keras.Input(shape=(1,), dtype="string", name="review")
    tokens = vectorizer(text)  # (batch, 12) token ids
    embedded = layers.Embedding(vectorizer.vocabulary_size(), 16, mask_zero=True)(tokens)
    pooled = layers.GlobalAveragePooling1D()(embedded)
    # keras.ops on symbolic tensors record operations in the model, as in Keras 3
    scaled = keras.ops.tanh(pooled) * 2.0
    score = layers.Dense(1, activation="sigmoid", name="positive")(scaled)
    return keras.Model(text, score)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="train for two epochs only")
    parser.add_argument("--out", default=None, help="directory for the saved model")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)

    reviews, labels = make_reviews(600)
    vectorizer = layers.TextVectorization(max_tokens=64, output_sequence_length=12)
    vectorizer.adapt(reviews)
    model = build_model(vectorizer)
    model.summary()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(reviews, labels, epochs=2 if args.quick else 15, batch_size=32,
                        validation_split=0.2, verbose=2)
    print("history keys:", sorted(history.history))

    out = args.out or tempfile.mkdtemp()
    path = os.path.join(out, "text_classifier.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    new_reviews = np.array(["a wonderful and brilliant story", "boring plot and awful acting"])
    same = np.allclose(model.predict(new_reviews, verbose=0), reloaded.predict(new_reviews, verbose=0))
    print("reloaded, same predictions on raw text:", same)
    for review, score in zip(new_reviews, reloaded.predict(new_reviews, verbose=0)[:, 0]):
        print(f"{score:.2f}  {review}")


if __name__ == "__main__":
    main()
