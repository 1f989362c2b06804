"""kombu's filesystem transport, with each message written under a temporary name and then renamed.

kombu writes a message file in place (open, lock, write); a worker polling the folder may move and
read it before the write ends, fail on the half-written JSON, and lose the message while its consumer
restarts. A rename is atomic, so readers see whole messages only. Live frames, sent many times a
second, met this within seconds (bench/live.py with a 0.02 s polling interval); uploads could too.
fer_site.celery installs this class (as analysis.jobs.transport:Transport) under the `filesystem://` scheme.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put `payload` onto `queue`: written as `<name>.part`, then renamed to the name readers take."""
        # The same name as kombu's, so readers still take messages in time order.
        name = os.path.join(self.data_folder_out, f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg")
        # Readers take files named `<stamp>.<queue>.msg` exactly; `.part` is never one of them.
        partial = name + ".part"
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, name)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
