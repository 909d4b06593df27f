"""The settings of the serve benchmark's scenarios (the defaults are the
command's): the load, the hostile traffic and the soak of distinct words."""

from dataclasses import dataclass

from nerkit.serving.limits import RequestLimits


@dataclass(frozen=True)
class LoadSettings:
    """Concurrent one-sentence and many-text requests, each scenario bounded
    in seconds and in requests, against a server of `workers` processes."""

    clients: int = 16
    batch_clients: int = 4
    texts_per_request: int = 100
    seconds: float = 20.0
    max_requests: int = 100_000
    workers: int = 1


@dataclass(frozen=True)
class HostileSettings:
    """Oversize bodies sized by the server's limits; big requests of
    `big_texts` texts of `big_text_chars` characters beside the load's
    one-sentence clients; `queue_clients` requests of `queue_request_chars`
    characters at once."""

    max_body_bytes: int
    max_text_chars: int
    big_texts: int = 95
    big_text_chars: int = 99_000
    queue_clients: int = 24
    queue_request_chars: int = 1_000_000

    @classmethod
    def sized_by(cls, limits: RequestLimits, **settings) -> "HostileSettings":
        """The bodies sized by a server's request limits, the rest as given."""
        return cls(max_body_bytes=limits.max_body_bytes, max_text_chars=limits.max_text_chars, **settings)


@dataclass(frozen=True)
class SoakSettings:
    """Requests of `texts_per_request` texts of `words_per_text` distinct
    words from `clients` clients until `words` words or `seconds`; the
    server's memory traced every `trace_every_words` words, its growth
    counted after `flat_after_words`."""

    words: int = 10_000_000
    words_per_text: int = 50
    texts_per_request: int = 20
    clients: int = 4
    seconds: float = 1200.0
    flat_after_words: int = 1_000_000
    trace_every_words: int = 200_000

    @property
    def words_per_request(self) -> int:
        return self.words_per_text * self.texts_per_request

    @property
    def requests(self) -> int:
        """Requests that send `words` words (the last one whole)."""
        return -(-self.words // self.words_per_request)
