"""nerkit/benchmarks/serve_settings.py: hostile bodies sized by a server's
request limits, and the soak's requests made whole."""

from nerkit.benchmarks.serve_settings import HostileSettings, SoakSettings
from nerkit.serving.limits import RequestLimits


def test_hostile_bodies_are_sized_by_the_servers_limits():
    settings = HostileSettings.sized_by(RequestLimits(max_text_chars=5_000, max_body_bytes=70_000), queue_clients=3)
    assert (settings.max_body_bytes, settings.max_text_chars, settings.queue_clients) == (70_000, 5_000, 3)


def test_the_soak_sends_whole_requests_of_its_words():
    settings = SoakSettings(words=1_001, words_per_text=10, texts_per_request=5)
    assert (settings.words_per_request, settings.requests) == (50, 21)
