//! A lossless JSON tree: lexical numbers, member order and duplicate keys kept.
