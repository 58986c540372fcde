package dev.sluice.engine;

/** One request's progress inside an {@link Engine}, and what its {@link KvBlocks} keep for it. */
final class Sequence {

  enum State { WAITING, RUNNING, DONE }

  final long id;
  final long serial;          // submission order: names the content of a request known by counts alone
  final TokenIds tokens;      // null: known by counts alone, its content its own
  final int promptTokens;
  final int maxOutputTokens;
  final long arrivalNanos;
  int numTokens;              // prompt + generated so far
  int computed;               // tokens whose KV is in the cache
  int generated;
  int scheduled;              // tokens in the in-flight step
  long firstTokenNanos = -1;
  int preemptions;
  int cachedTokens = -1;      // prefix-cache hit when first scheduled
  boolean aborted;
  State state = State.WAITING;

  // kept by the KvBlocks
  int blocks;                 // blocks held
  int offered;                // leading held blocks already offered to the prefix cache
  int[] blockIds;             // ContentBlocks: ids of the held blocks
  long[] hashes;              // ContentBlocks: hashes of the first `hashed` full blocks
  int hashed;
  CountedBlocks.Run run;      // CountedBlocks: its blocks still cached since its preemption

  Sequence(long id, long serial, TokenIds tokens, int promptTokens, int maxOutputTokens, long arrivalNanos) {
    this.id = id;
    this.serial = serial;
    this.tokens = tokens;
    this.promptTokens = promptTokens;
    this.maxOutputTokens = maxOutputTokens;
    this.arrivalNanos = arrivalNanos;
    this.numTokens = promptTokens;
  }
}
