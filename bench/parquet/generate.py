# The Parquet benchmark file: 10 columns of mixed types (INT64, INT32, DECIMAL(12,2), DOUBLE, INT16, BOOLEAN, two
# strings, TIMESTAMP(us, UTC), DATE), snappy, row groups of about 128 MB stored, deterministic (seeded).
#   python generate.py <out.parquet> <rows>
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

out, rows = sys.argv[1], int(sys.argv[2])
GROUP_ROWS = 2_900_000  # ~128 MB stored per row group with these columns (measured: ~44 B/row snappy)
CHUNK = 500_000
COUNTRIES = np.array(['US', 'DE', 'FR', 'JP', 'BR', 'IN', 'CN', 'GB', 'IT', 'ES', 'CA', 'MX', 'KR', 'AU', 'NL'])
rng = np.random.default_rng(22)
schema = pa.schema([
    ('id', pa.int64()), ('user_id', pa.int32()), ('amount', pa.decimal128(12, 2)), ('price', pa.float64()),
    ('quantity', pa.int16()), ('active', pa.bool_()), ('name', pa.string()), ('country', pa.string()),
    ('created_at', pa.timestamp('us', 'UTC')), ('birth_date', pa.date32()),
])
with pq.ParquetWriter(out, schema, compression='snappy') as w:
    done = 0
    while done < rows:
        group = min(GROUP_ROWS, rows - done)
        parts = []
        for start in range(0, group, CHUNK):
            n = min(CHUNK, group - start)
            first = done + start
            ids = np.arange(first, first + n, dtype=np.int64)
            cents = rng.integers(-10**9, 10**11, n)
            parts.append(pa.table([
                pa.array(ids),
                pa.array(rng.integers(0, 2**31 - 1, n, dtype=np.int32)),
                # DECIMAL(12,2) straight from the unscaled cents (128-bit little-endian: low word, sign word).
                pa.Array.from_buffers(pa.decimal128(12, 2), n,
                                      [None, pa.py_buffer(np.stack([cents, cents >> 63], axis=1).tobytes())]),
                pa.array(np.round(rng.random(n) * 1000, 4)),
                pa.array(rng.integers(1, 500, n, dtype=np.int16)),
                pa.array(rng.random(n) < 0.5),
                pa.array(np.char.add('user-', rng.integers(0, 10**8, n).astype(str))),
                pa.array(COUNTRIES[rng.integers(0, len(COUNTRIES), n)]),
                pa.array(rng.integers(1_500_000_000_000_000, 1_800_000_000_000_000, n), type=pa.int64()).cast(
                    pa.timestamp('us', 'UTC')),
                pa.array(rng.integers(-20000, 20000, n, dtype=np.int32)).cast(pa.date32()),
            ], schema=schema))
        w.write_table(pa.concat_tables(parts), row_group_size=group)
        done += group
        print(f'{done} rows', file=sys.stderr)
