#!/usr/bin/env python3
"""Deterministic scale-corpus generator (stdlib only).

Copied unchanged (apart from this note) from the team's shared tools (tools/make_corpus.py), so
that a clone of textaudit can make its benchmark corpora; it reads the real corpora in ../data/
(the project's data/, sources and licences in data/README.md).

usage: make_corpus.py N OUT.csv [--seed S] [--classes agnews|tweets|mixed]

Writes a CSV with header `label,text` and N rows derived from the real corpora
in ../data/ (agnews_test.csv, airline_tweets.csv, sms_spam.tsv):

  * pick a real document uniformly at random (its class is the label),
  * drop each word with p=0.10,
  * replace each kept word with p=0.15 by a word drawn from the corpus token
    stream (so replacements follow the corpus' own Zipf unigram frequencies),
  * with p=0.35 append "rare" tokens (one; two with p=0.05) drawn from
    an unbounded Zipf-like id space (Pareto tail alpha=0.12, pmf ~ k^-1.12;
    ids past 1e15 become fresh hapaxes), spelled as a pronounceable pseudo-word.
    The number of distinct rare tokens grows roughly like draws^0.8-0.87
    (Heaps-like), so the vocabulary keeps growing with N: with the sklearn
    default tokenizer, agnews mode (seed 0) gives 24.9k features at 20k rows,
    53.9k at 200k, 156k at 1M.

Labels: agnews -> World|Sports|Business|SciTech ; tweets -> negative|neutral|positive ;
mixed -> news_*, tweet_*, sms_ham|sms_spam (9 classes).
Same N, seed and classes -> byte-identical output (Python's random.Random is
stable across CPython versions for random(), choice via int(random()*n)).
"""
import argparse
import csv
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "data"))

AG_NAMES = {"1": "World", "2": "Sports", "3": "Business", "4": "SciTech"}

SYL = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]  # 70 syllables


def clean(s):
    return " ".join(s.replace("\\", " ").split())


def load_agnews(prefix=""):
    out = []
    with open(os.path.join(DATA, "agnews_test.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.append((prefix + AG_NAMES[row["label"]],
                        clean(row["title"] + " " + row["description"])))
    return out


def load_tweets(prefix=""):
    out = []
    with open(os.path.join(DATA, "airline_tweets.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.append((prefix + row["airline_sentiment"], clean(row["text"])))
    return out


def load_sms(prefix=""):
    out = []
    with open(os.path.join(DATA, "sms_spam.tsv"), newline="", encoding="utf-8") as f:
        next(f)
        for line in f:
            lab, _, txt = line.rstrip("\n").partition("\t")
            out.append((prefix + lab, clean(txt)))
    return out


def rare_word(k):
    # pseudo-word for id k (k >= 1), at least 3 syllables so it never collides
    # with short real words
    s = []
    k += 70 * 70
    while k:
        k, r = divmod(k, 70)
        s.append(SYL[r])
    return "".join(s)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--classes", choices=["agnews", "tweets", "mixed"], default="agnews")
    a = ap.parse_args(argv)

    if a.classes == "agnews":
        docs = load_agnews()
    elif a.classes == "tweets":
        docs = load_tweets()
    else:
        docs = load_agnews("news_") + load_tweets("tweet_") + load_sms("sms_")

    labels = [d[0] for d in docs]
    toks = [d[1].split() for d in docs]
    stream = [w for t in toks for w in t]  # corpus token stream (Zipf unigram dist)
    nd, ns = len(docs), len(stream)

    rng = random.Random(a.seed)
    rnd = rng.random
    inv_alpha = 1.0 / 0.12  # Pareto tail exponent alpha=0.12 -> pmf ~ k^-1.12
    cap = 10 ** 15

    out = sys.stdout if a.out == "-" else open(a.out, "w", newline="", encoding="utf-8")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["label", "text"])
    buf = []
    for _ in range(a.n):
        i = int(rnd() * nd)
        words = []
        ap_ = words.append
        for t in toks[i]:
            r = rnd()
            if r < 0.10:
                continue
            if r < 0.10 + 0.90 * 0.15:  # replace ~15% of the kept words
                ap_(stream[int(rnd() * ns)])
            else:
                ap_(t)
        r = rnd()
        if r < 0.35:
            nrare = 2 if r < 0.05 else 1
            for _k in range(nrare):
                u = 1.0 - rnd()  # (0, 1]
                k = int(u ** -inv_alpha)
                if k >= cap:  # far tail: a fresh (almost surely unique) token
                    k = cap + int(rnd() * cap)
                ap_(rare_word(k))
        if not words:
            words = toks[i][:1] or ["empty"]
        buf.append((labels[i], " ".join(words)))
        if len(buf) >= 10000:
            w.writerows(buf)
            buf.clear()
    w.writerows(buf)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
