#!/usr/bin/env python3
"""Writes N objects straight into a fake-gcs-server filesystem root (file + user.metadata xattr, the layout its
filesystem backend reads), because uploading 100,000 objects through its API takes minutes and its memory backend
slows down with every object it holds. Usage: scan-seed.py ROOT BUCKET PREFIX N"""
import hashlib, base64, json, os, sys, datetime

def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF

root, bucket, prefix, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
folder = os.path.join(root, bucket, prefix)
os.makedirs(folder, exist_ok=True)
now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
base_generation = int(datetime.datetime.now().timestamp() * 1_000_000)
for i in range(n):
    data = f'row-{i}\n'.encode()
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    meta = {
        'StorageClass': 'STANDARD', 'ContentType': 'text/csv', 'ContentEncoding': '', 'ContentDisposition': '',
        'ContentLanguage': '', 'CacheControl': '',
        'Crc32c': base64.b64encode(crc32c(data).to_bytes(4, 'big')).decode(), 'Md5Hash': md5, 'Etag': md5,
        'ACL': [], 'Metadata': {}, 'Created': now, 'Deleted': '0001-01-01T00:00:00Z', 'Updated': now,
        'CustomTime': '0001-01-01T00:00:00Z', 'Generation': base_generation + i, 'RetentionMode': '',
        'RetentionRetainUntil': '',
    }
    path = os.path.join(folder, f'f-{i:07d}.csv')
    with open(path, 'wb') as f:
        f.write(data)
    os.setxattr(path, 'user.metadata', json.dumps(meta).encode())
