"""RemoteMonitor against a local `http.server` running in a thread."""

import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import RemoteMonitor


class _Recorder(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, dict(self.headers), body))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.received, httpd.status = [], 200
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _root(httpd):
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def test_defaults_match_keras():
    monitor = RemoteMonitor()
    assert (monitor.root, monitor.path, monitor.field, monitor.headers, monitor.send_as_json) == (
        "http://localhost:9000", "/publish/epoch/end/", "data", None, False
    )


def test_form_payload(server):
    monitor = RemoteMonitor(root=_root(server), headers={"X-Run": "7"})
    monitor.on_epoch_end(3, {"loss": np.float32(0.5), "acc": np.array(0.25), "lr": 0.1,
                             "t": torch.tensor(2.0)})
    (path, headers, body), = server.received
    assert path == "/publish/epoch/end/"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["X-Run"] == "7"
    form = urllib.parse.parse_qs(body.decode("ascii"))
    assert list(form) == ["data"]
    assert form["data"] == ['{"epoch": 3, "loss": 0.5, "acc": 0.25, "lr": 0.1, "t": 2.0}']
    # Exactly the bytes `requests.post(url, {"data": text})` sends.
    assert body == urllib.parse.urlencode({"data": form["data"][0]}).encode()


def test_json_payload_and_custom_field_path(server):
    monitor = RemoteMonitor(root=_root(server), path="/x", field="f", send_as_json=True)
    monitor.on_epoch_end(0, {"loss": 1.5})
    monitor.on_epoch_end(1, None)
    (path, headers, body), (_, _, second) = server.received
    assert path == "/x" and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"epoch": 0, "loss": 1.5}
    assert body == b'{"epoch": 0, "loss": 1.5}'
    assert json.loads(second) == {"epoch": 1}


def test_nan_is_sent_in_a_form_but_refused_as_json(server):
    RemoteMonitor(root=_root(server)).on_epoch_end(0, {"loss": float("nan")})
    assert b"NaN" in server.received[0][2]
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        RemoteMonitor(root=_root(server), send_as_json=True).on_epoch_end(0, {"loss": np.nan})
    assert len(server.received) == 1


def test_error_status_is_ignored(server, recwarn):
    server.status = 500
    RemoteMonitor(root=_root(server)).on_epoch_end(0, {"loss": 1.0})
    assert len(server.received) == 1
    assert not [w for w in recwarn if "RemoteMonitor" in str(w.message)]


def test_unreachable_server_warns_and_training_goes_on(server):
    port = server.server_address[1]
    server.shutdown()
    server.server_close()
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        RemoteMonitor(root=f"http://127.0.0.1:{port}").on_epoch_end(0, {"loss": 1.0})
    with pytest.warns(UserWarning, match="Could not reach"):
        RemoteMonitor(root="not-a-url").on_epoch_end(0, {})


def test_fit_posts_every_epoch(server):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    history = model.fit(x, y, epochs=2, verbose=0, validation_data=(x, y),
                        callbacks=[RemoteMonitor(root=_root(server), send_as_json=True)])
    sent = [json.loads(body) for _, _, body in server.received]
    assert [entry.pop("epoch") for entry in sent] == [0, 1]
    for epoch, entry in enumerate(sent):
        assert entry == pytest.approx({key: values[epoch]
                                       for key, values in history.history.items()})
