"""Images in an S3-compatible object store (AWS S3, MinIO, Ceph, moto's server in the tests).

``s3://bucket/prefix`` names every object under the prefix, listed in key order (S3 lists keys
in UTF-8 binary order, so a resumed back-scan sees the same order). Credentials and the region
come from the usual AWS settings (environment, ~/.aws); ``endpoint_url`` points at a store that is
not AWS. boto3 is the optional extra ``bouclier[s3]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bouclier.errors import ConfigError, FileUnreadable, MediaError

MAX_KEY_BYTES = 1024  # S3's own limit


@dataclass(frozen=True)
class ObjectStore:
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    _client: list[Any] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def parse(cls, url: str, endpoint_url: str | None = None) -> ObjectStore:
        if not url.startswith("s3://"):
            raise ConfigError(f"an object store is named s3://bucket/prefix, not {url[:80]!r}")
        bucket, _, prefix = url[len("s3://") :].partition("/")
        if not bucket:
            raise ConfigError("s3:// needs a bucket name: s3://bucket/prefix")
        return cls(bucket, prefix, endpoint_url)

    def __getstate__(self) -> dict[str, Any]:
        return {"bucket": self.bucket, "prefix": self.prefix, "endpoint_url": self.endpoint_url}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_client", [])

    def client(self) -> Any:
        """The boto3 client, made once per process (clients are not picklable)."""
        if not self._client:
            try:
                import boto3
            except ImportError:
                raise ConfigError(
                    "back-scanning an object store needs boto3: pip install 'bouclier[s3]'"
                ) from None
            self._client.append(boto3.client("s3", endpoint_url=self.endpoint_url))
        return self._client[0]

    def keys(self) -> Iterator[str]:
        pages = self.client().get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", ()):
                key = item["Key"]
                if not key.endswith("/"):  # a "folder" marker holds no image
                    yield key

    def read(self, key: str, max_bytes: int) -> bytes:
        """The object's bytes, refused past ``max_bytes`` without reading them all."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client().get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise FileUnreadable(f"object cannot be read ({code})") from None
        body = answer["Body"]
        try:
            if int(answer.get("ContentLength", 0)) > max_bytes:
                raise MediaError(
                    f"the object is larger than {max_bytes} bytes", code="media.too_large"
                )
            data: bytes = body.read(max_bytes + 1)
        finally:
            body.close()
        if len(data) > max_bytes:
            raise MediaError(f"the object is larger than {max_bytes} bytes", code="media.too_large")
        return data
