"""The default filesystem broker writes each message whole before a worker can see it (fer_site/broker.py)."""

import os
import uuid

from kombu import Connection

from analysis.jobs import transport as broker


def test_filesystem_urls_use_the_atomic_transport():
    assert Connection("filesystem://").transport_cls == "filesystem"
    assert isinstance(Connection("filesystem://").transport, broker.Transport)


def test_a_message_appears_only_under_its_final_name(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def replace(source, target):
        # At the moment of the rename, readers can see only the temporary name, never the final one.
        seen.append((sorted(os.listdir(tmp_path)), os.path.basename(target)))
        real_replace(source, target)

    monkeypatch.setattr(broker.os, "replace", replace)
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "control_folder": str(tmp_path)}
    with Connection("filesystem://", transport_options=options) as connection:
        # A fresh name: kombu keeps declared exchanges per process, across tests.
        name = f"check{uuid.uuid4().hex[:8]}"
        queue = connection.SimpleQueue(name)
        queue.put({"frame": "x" * 100_000})
        message = queue.get(timeout=2)

        assert message.payload == {"frame": "x" * 100_000}
        message.ack()
        queue.close()
    ((listed, final),) = seen
    assert final.endswith(f".{name}.msg")
    assert [name for name in listed if name.endswith(".msg")] == []
    assert [name for name in listed if name.endswith(".msg.part")] == [final + ".part"]
    assert not [name for name in os.listdir(tmp_path) if name.endswith((".part", ".msg"))]
