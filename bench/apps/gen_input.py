# SPDX-License-Identifier: GPL-2.0
#
# make bench-apps: the input of xz, zstd and sort, the same bytes on every
# machine: text lines of numbers and words from a fixed vocabulary, drawn
# from a seeded generator (compressible like logs, unsorted).
#
#	gen_input.py MEGABYTES OUT	write MEGABYTES MiB of lines to OUT
#	gen_input.py --sort IN OUT	IN's lines sorted bytewise (LC_ALL=C
#					sort's order), the reference for sort
import random
import sys


def generate(megabytes, out):
    rng = random.Random(15)
    letters = 'abcdefghijklmnopqrstuvwxyz'
    vocab = [''.join(rng.choice(letters) for _ in range(rng.randint(2, 10)))
             for _ in range(4000)]
    want, done = megabytes << 20, 0
    with open(out, 'w') as f:
        while done < want:
            chunk = '\n'.join('%d %s %s %s %d' % (rng.getrandbits(32),
                                                   *rng.choices(vocab, k=3),
                                                   rng.getrandbits(16))
                              for _ in range(20000)) + '\n'
            if done + len(chunk) > want:
                # whole lines only: stop at the last one that fits
                chunk = chunk[:chunk.rfind('\n', 0, want - done) + 1]
                want = done
            f.write(chunk)
            done += len(chunk)


def sort_lines(src, out):
    with open(src, 'rb') as f:
        lines = f.read().splitlines(keepends=True)
    lines.sort()
    with open(out, 'wb') as f:
        f.writelines(lines)


if __name__ == '__main__':
    if sys.argv[1] == '--sort':
        sort_lines(sys.argv[2], sys.argv[3])
    else:
        generate(int(sys.argv[1]), sys.argv[2])
