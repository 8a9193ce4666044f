"""Where photo bytes live: a folder on the local filesystem (the default) or an S3 bucket (AWS).

Both backends store immutable blobs under keys the service chooses (``<photo_id>/<size>.<ext>``,
never a name a client sent) and are picked by ``PHOTO_STORAGE`` in settings. :func:`photo_storage`
builds the configured one; settings are read on each call so tests can point it elsewhere.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

from dbay_common.request_body import StoreUnavailable

_KEY = re.compile(r"^[0-9a-f-]{36}/[a-z]+\.[a-z]+$")


class PhotoBlobMissing(Exception):  # noqa: N818 - a lookup miss, not an API error
    """The key has no blob (never written, or deleted)."""


class PhotoStoreUnavailable(StoreUnavailable):
    """The photo store did not answer or refused a write: 503 with ``Retry-After``, never a 500."""

    default_message = "Photos cannot be stored or read right now; try again in a few seconds."


class PhotoStorage(Protocol):
    def put(self, key: str, content: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, keys: list[str]) -> None: ...


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not a photo blob key: {key!r}")
    return key


class FilesystemPhotoStorage:
    """Blobs as files under ``root`` (``PHOTO_STORAGE_DIR``). Writes are atomic: a temporary file in
    the same folder, then a rename, so a reader never sees half a photo."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, content: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        except OSError as error:
            raise PhotoStoreUnavailable() from error
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(content)
            os.replace(temporary, path)
        except BaseException as error:
            Path(temporary).unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise PhotoStoreUnavailable() from error
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise PhotoBlobMissing(key) from None
        except OSError as error:
            raise PhotoStoreUnavailable() from error

    def delete(self, keys: list[str]) -> None:
        folders = set()
        for key in keys:
            path = self._path(key)
            try:
                path.unlink(missing_ok=True)
            except OSError as error:
                raise PhotoStoreUnavailable() from error
            folders.add(path.parent)
        for folder in folders:
            # Not empty (another size still there) or already gone: either way nothing to do.
            with contextlib.suppress(OSError):
                folder.rmdir()


@functools.cache
def s3_client() -> Any:
    """One S3 client per process. boto3 reads the region, credentials (the usual AWS_* variables or
    the pod's role) and ``AWS_ENDPOINT_URL`` (moto in tests) itself."""
    import boto3

    return boto3.client("s3")


class S3PhotoStorage:
    """Blobs as objects in ``bucket`` under ``prefix`` (``PHOTO_S3_BUCKET``, ``PHOTO_S3_PREFIX``)."""

    def __init__(self, bucket: str, prefix: str = "") -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.client = s3_client()

    def _key(self, key: str) -> str:
        return f"{self.prefix}{_checked(key)}"

    def put(self, key: str, content: bytes, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=content,
                ContentType=content_type,
                CacheControl="public, max-age=31536000, immutable",
            )
        except (BotoCoreError, ClientError) as error:
            raise PhotoStoreUnavailable() from error

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            body: bytes = response["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise PhotoBlobMissing(key) from None
        except (BotoCoreError, ClientError) as error:
            raise PhotoStoreUnavailable() from error
        return body

    def delete(self, keys: list[str]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        if not keys:
            return
        try:
            self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": self._key(key)} for key in keys], "Quiet": True},
            )
        except (BotoCoreError, ClientError) as error:
            raise PhotoStoreUnavailable() from error


def photo_storage() -> PhotoStorage:
    """The backend ``PHOTO_STORAGE`` names, configured from settings."""
    if settings.PHOTO_STORAGE == "s3":
        return S3PhotoStorage(settings.PHOTO_S3_BUCKET, settings.PHOTO_S3_PREFIX)
    return FilesystemPhotoStorage(Path(settings.PHOTO_STORAGE_DIR))
