package dev.sluice.engine;

/**
 * A request's token ids as the prefix cache sees them: the prompt's, then the output's, which repeat a cycle (the
 * mock's output is a fixed cycle of words). Block {@code i} covers positions {@code [i * size, (i + 1) * size)};
 * its hash chains its tokens to the hash of the block before it, as vLLM's {@code hash_block_tokens} does, so two
 * sequences share a block's hash only when every token up to the end of that block agrees.
 *
 * @param prompt      the prompt's token ids, template tokens included; its length is the prompt's token count
 * @param outputCycle the ids the output repeats: output token {@code j} is {@code outputCycle[j % length]}
 */
public record TokenIds(int[] prompt, int[] outputCycle) {

  public TokenIds {
    if (prompt.length < 1 || outputCycle.length < 1) {
      throw new IllegalArgumentException("a prompt and an output cycle of at least one token each");
    }
  }

  /** Token id at a position of the sequence: a prompt token, then the output. */
  public int at(int position) {
    return position < prompt.length ? prompt[position]
        : outputCycle[(position - prompt.length) % outputCycle.length];
  }

  /** Hash of full block {@code index} of {@code size} tokens, chained to the previous block's hash. */
  long blockHash(int index, int size, long previous) {
    long h = previous ^ 0x5851F42D4C957F2DL;
    for (int p = index * size, end = p + size; p < end; p++) {
      h = (h ^ (at(p) & 0xFFFFFFFFL)) * 0x100000001B3L;
    }
    return mix(h);
  }

  /** Hash of block {@code index} of a sequence whose content is its own (no other sequence shares any block). */
  static long uniqueBlockHash(long sequence, int index) {
    return mix(mix(sequence ^ 0x2545F4914F6CDD1DL) + index);
  }

  /** A 64-bit finalizer (splitmix64's): every input bit moves about half the output bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
