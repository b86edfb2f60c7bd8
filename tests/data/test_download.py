import hashlib
import os

import pytest

from gwin.data.download import (
    download,
    mirror_bases,
    mirror_urls,
    sha256_file,
    verify_file,
)
from gwin.errors import GwinError

CONTENT = os.urandom(3000) + b"payload"
SHA = hashlib.sha256(CONTENT).hexdigest()


def _serve(server, relpath: str, data: bytes) -> str:
    path = server.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"{server.url}/{relpath}"


def test_sha256_file_matches_hashlib(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(CONTENT)
    assert sha256_file(path) == SHA


def test_good_download_lands_atomically_with_no_leftovers(http_server, tmp_path):
    url = _serve(http_server, "a/file.gz", CONTENT)
    dest = tmp_path / "cache" / "file.gz"
    assert download([url], dest, SHA, backoff=0) == dest
    assert dest.read_bytes() == CONTENT
    assert os.listdir(dest.parent) == ["file.gz"]
    assert http_server.hits == ["/a/file.gz"]


def test_first_mirror_404_then_second_mirror(http_server, tmp_path):
    good = _serve(http_server, "m2/file.gz", CONTENT)
    dest = tmp_path / "file.gz"
    download([f"{http_server.url}/m1/file.gz", good], dest, SHA, retries=3, backoff=0)
    assert dest.read_bytes() == CONTENT
    # A 404 says "not here": the first mirror is asked once, not retried.
    assert http_server.hits == ["/m1/file.gz", "/m2/file.gz"]


def test_server_error_is_retried_on_the_same_mirror(http_server, tmp_path):
    url = _serve(http_server, "file.gz", CONTENT)
    http_server.fail_500["/file.gz"] = 2
    dest = tmp_path / "file.gz"
    download([url], dest, SHA, retries=3, backoff=0)
    assert dest.read_bytes() == CONTENT
    assert http_server.hits == ["/file.gz"] * 3


def test_connection_cut_short_is_retried_and_never_lands(http_server, tmp_path):
    url = _serve(http_server, "file.gz", CONTENT)
    http_server.truncate["/file.gz"] = 1
    dest = tmp_path / "dl" / "file.gz"
    download([url], dest, SHA, retries=2, backoff=0)
    assert dest.read_bytes() == CONTENT
    assert http_server.hits == ["/file.gz"] * 2
    assert os.listdir(dest.parent) == ["file.gz"]


def test_checksum_mismatch_on_all_mirrors(http_server, tmp_path):
    bad = CONTENT[:-1] + b"X"
    urls = [_serve(http_server, "m1/file.gz", bad), _serve(http_server, "m2/file.gz", bad)]
    dest_dir = tmp_path / "cache"
    dest = dest_dir / "file.gz"
    with pytest.raises(GwinError) as info:
        download(urls, dest, SHA, retries=3, backoff=0)
    message = str(info.value)
    assert "\n" not in message
    assert "file.gz" in message
    assert f"expected sha256 {SHA}" in message
    assert hashlib.sha256(bad).hexdigest() in message
    assert "--data-dir" in message
    assert not dest.exists()
    assert os.listdir(dest_dir) == []
    # Wrong content is not a network hiccup: each mirror is asked once.
    assert http_server.hits == ["/m1/file.gz", "/m2/file.gz"]


def test_unreachable_mirrors_give_one_line_error(tmp_path):
    dest = tmp_path / "file.gz"
    with pytest.raises(GwinError, match="could not download file.gz from 1 mirror.*GWIN_MIRRORS"):
        download(["http://127.0.0.1:9/file.gz"], dest, SHA, retries=2, timeout=2, backoff=0)
    assert os.listdir(tmp_path) == []


def test_malformed_url_and_empty_list(tmp_path):
    with pytest.raises(GwinError, match="could not download"):
        download(["not a url"], tmp_path / "f", SHA, backoff=0)
    with pytest.raises(GwinError, match="no download URL for f"):
        download([], tmp_path / "f", SHA)
    assert os.listdir(tmp_path) == []


def test_verify_file_accepts_good_and_names_corrupt_file(tmp_path):
    path = tmp_path / "cached.gz"
    path.write_bytes(CONTENT)
    assert verify_file(path, SHA.upper()) == path
    path.write_bytes(CONTENT[:100])
    with pytest.raises(GwinError) as info:
        verify_file(path, SHA)
    message = str(info.value)
    assert str(path) in message and f"expected {SHA}" in message and "delete it" in message
    assert "\n" not in message


def test_mirror_list_from_environment(monkeypatch):
    monkeypatch.setenv("GWIN_MIRRORS", " http://127.0.0.1:1/a/ ,, http://127.0.0.1:2/b")
    assert mirror_bases(("https://default/",)) == ("http://127.0.0.1:1/a/", "http://127.0.0.1:2/b")
    monkeypatch.delenv("GWIN_MIRRORS")
    assert mirror_bases(("https://default/",)) == ("https://default/",)
    assert mirror_urls("f.gz", ["http://h/a/", "http://h/b"]) == [
        "http://h/a/f.gz",
        "http://h/b/f.gz",
    ]
