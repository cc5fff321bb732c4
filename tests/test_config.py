import pytest

from signals.config import Config, load_config


def test_default_config_loads_and_hash_is_stable(cfg):
    assert cfg.ingest.timezone == "Europe/Helsinki"
    assert cfg.content_hash() == load_config().content_hash()
    changed = cfg.model_copy(deep=True)
    changed.topics.min_topic_size = 99
    assert changed.content_hash() != cfg.content_hash()


def test_yaml_matches_code_defaults(cfg):
    # configs/nightly.yaml documents the defaults; drifting apart would confuse readers.
    assert cfg == Config()


def test_unknown_key_is_rejected(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("topics:\n  min_topic_sise: 5\n")
    with pytest.raises(ValueError, match="min_topic_sise"):
        load_config(p)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize("text, fragment", [
    ("topics: [unclosed\n", "cannot read config"),
    ("ingest:\n  timezone: Europe/Helsingfors\n", "unknown time zone"),
])
def test_broken_yaml_and_unknown_time_zone_are_clear_errors(tmp_path, text, fragment):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ValueError, match=fragment):
        load_config(p)
    with pytest.raises(ValueError, match="cannot read config"):
        load_config(tmp_path)   # a folder, not a file
