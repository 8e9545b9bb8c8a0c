"""RemoteMonitor: POST each epoch's logs to an HTTP server, with the standard library only."""

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np
import torch

from torchkeras.callbacks.callback import Callback
from torchkeras.registry import CALLBACKS


@CALLBACKS.register()
class RemoteMonitor(Callback):
    """Sends `{"epoch": epoch, **logs}` to `root + path` after every epoch (an HTTP POST).

    By default the JSON text is sent as the form field `field`
    (`application/x-www-form-urlencoded`); with `send_as_json=True` the body is the JSON itself
    (`application/json`, NaN and infinities refused as the `requests` library does). Keras
    needs `requests`; this uses `urllib`, with the same payload. As in Keras, a server that
    cannot be reached gives a warning and training goes on, and the server's reply (even an
    error status) is ignored.

    Args:
        root: Root URL of the server.
        path: Path, relative to `root`, that receives the events.
        field: Form field holding the JSON (unused when `send_as_json=True`).
        headers: Optional dict of extra HTTP headers.
        send_as_json: Whether to send the body as `application/json`.
    """

    def __init__(
        self,
        root="http://localhost:9000",
        path="/publish/epoch/end/",
        field="data",
        headers=None,
        send_as_json=False,
    ):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        payload = {"epoch": epoch}
        for key, value in (logs or {}).items():
            payload[key] = _plain(value)
        try:
            request = self._request(payload)
            with urllib.request.urlopen(request) as response:
                response.read()
        except urllib.error.HTTPError:
            pass  # the server answered: `requests` does not raise on an error status either
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(
                f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2
            )

    def _request(self, payload):
        """The POST request: JSON body, or the JSON text url-encoded as one form field."""
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(payload, allow_nan=False).encode("utf-8")
            content_type = "application/json"
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(payload)}).encode("ascii")
            content_type = "application/x-www-form-urlencoded"
        if not any(key.lower() == "content-type" for key in headers):  # the user's wins
            headers["Content-Type"] = content_type
        return urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                      method="POST")


def _plain(value):
    """A log value JSON can encode: numpy and single-element torch values as Python scalars."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.item()
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return value
