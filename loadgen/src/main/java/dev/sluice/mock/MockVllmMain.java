package dev.sluice.mock;

import dev.sluice.cli.Cli;
import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ./sluice mock-vllm}: runs one mock vLLM instance until killed. Its options, in this one class, map onto
 * {@link MockConfig}.
 */
@Command(name = "mock-vllm", description = "A vLLM-faithful mock server over the engine model: API, errors, "
    + "token counts, batching, KV cache, preemption and faults.")
public final class MockVllmMain implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--profile", paramLabel = "short|long|homogeneous", defaultValue = MockDefaults.PROFILE,
      description = "pool shape from conf/mock/<name>.properties (default ${DEFAULT-VALUE})")
  String profile;
  @Option(names = "--host", paramLabel = "ADDR", defaultValue = MockDefaults.HOST, description = "address to bind "
      + "(default ${DEFAULT-VALUE}; e.g. 127.0.0.2 for one of several endpoints on distinct loopback addresses)")
  String host;
  @Option(names = "--port", paramLabel = "N", defaultValue = "" + MockDefaults.PORT,
      description = "listen port (default ${DEFAULT-VALUE}; 0 = any)")
  int port;
  @Option(names = "--max-model-len", paramLabel = "N", description = "override the profile's max_model_len")
  Integer maxModelLen;
  @Option(names = "--max-num-seqs", paramLabel = "N", description = "override max_num_seqs")
  Integer maxNumSeqs;
  @Option(names = "--kv-blocks", paramLabel = "N", description = "override num_gpu_blocks (blocks of 16 tokens)")
  Integer kvBlocks;
  @Option(names = "--max-num-batched-tokens", paramLabel = "N", description = "override the per-step token budget "
      + "(prefill chunk); like vLLM, the mock refuses to start when it is below max_num_seqs")
  Integer maxNumBatchedTokens;
  @Option(names = "--scheduler-reserve-full-isl", paramLabel = "true|false", arity = "1",
      description = "admit a request only when its whole sequence fits the free KV blocks (vLLM's default, true) "
          + "or when its first chunk does (false)")
  Boolean reserveFullIsl;
  @Option(names = "--enable-prefix-caching", paramLabel = "true|false", arity = "1",
      description = "reuse cached KV blocks of a prompt's prefix (vLLM V1's default, true)")
  Boolean prefixCaching;
  @Option(names = "--tokenizer", paramLabel = "cl100k|o200k|bytes", defaultValue = MockDefaults.TOKENIZER,
      description = "prompt token counting (default ${DEFAULT-VALUE}; bytes = UTF-8 bytes / 4)")
  String tokenizer;
  @Option(names = "--timing", paramLabel = "gpu|instant", defaultValue = MockDefaults.TIMING,
      description = "step cost model (default ${DEFAULT-VALUE})")
  String timing;
  @Option(names = "--time-scale", paramLabel = "X", defaultValue = "1",
      description = "run X virtual seconds per wall second (default ${DEFAULT-VALUE})")
  double timeScale;
  @Option(names = "--model", paramLabel = "NAME", defaultValue = MockDefaults.MODEL,
      description = "the model (default ${DEFAULT-VALUE}); its name is the served name unless "
          + "--served-model-name gives others")
  String model;
  @Option(names = "--served-model-name", paramLabel = "NAME", arity = "1..*", description = "the names requests may "
      + "give, as vLLM's flag: every one is accepted, the first is the one responses report")
  List<String> servedModelNames;
  @Option(names = "--default-max-tokens", paramLabel = "N", defaultValue = "" + MockDefaults.DEFAULT_MAX_TOKENS,
      description = "output length when a request has no max_tokens (default ${DEFAULT-VALUE})")
  int defaultMaxTokens;
  @Option(names = "--vllm-version", paramLabel = "current|0.11", defaultValue = "current",
      description = "length-error wording and stream_options defaults (default ${DEFAULT-VALUE})")
  String vllmVersion;
  @Option(names = "--usage-null-chunks", paramLabel = "true|false", arity = "1", description = "with "
      + "include_usage, put \"usage\":null on the other chunks (OpenAI and vLLM up to 0.6; default false)")
  boolean usageNullChunks;
  @Option(names = "--max-num-queued-reqs", paramLabel = "N", defaultValue = "0",
      description = "refuse with 503 beyond N waiting plus running requests (default 0: none)")
  int maxNumQueuedReqs;
  @Option(names = "--length-errors-in-stream", paramLabel = "true|false", arity = "1", description = "refuse a "
      + "too-long stream with a 200 and an error event, as SGLang does (default false: vLLM's 400)")
  boolean lengthErrorsInStream;
  @Option(names = "--fail-503", paramLabel = "F", description = "fault injection: share of completion requests "
      + "answered 503 (seeded, like every fault below)")
  double fail503;
  @Option(names = "--fail-500", paramLabel = "F", description = "share answered 500")
  double fail500;
  @Option(names = "--reset-mid-stream", paramLabel = "F", description = "share whose connection is reset "
      + "after a couple of content chunks")
  double resetMidStream;
  @Option(names = "--hang", paramLabel = "F", description = "share never answered")
  double hang;
  @Option(names = "--garbage", paramLabel = "F", description = "share answered with bytes that are not HTTP")
  double garbage;
  @Option(names = "--fail-in-stream", paramLabel = "F",
      description = "share answered with a 200 stream whose first event is vLLM's error event")
  double failInStream;
  @Option(names = "--fail-mid-stream", paramLabel = "F",
      description = "share with vLLM's error event after a couple of content chunks")
  double failMidStream;
  @Option(names = "--die-after", paramLabel = "N", defaultValue = "0",
      description = "stop serving and exit after N completion requests (default 0: never)")
  long dieAfter;
  @Option(names = "--fault-seed", paramLabel = "N", defaultValue = "1", description = "seed of the faults (default 1)")
  long faultSeed;

  public MockVllmMain() {
  }

  @Override
  public Integer call() throws Exception {
    MockConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException | IOException e) {
      throw Cli.usageError(spec, e.getMessage());
    }
    Vertx vertx = Vertx.vertx();
    MockVllm mock = new MockVllm(config);
    try {
      vertx.deployVerticle(mock).await();
    } catch (RuntimeException e) {
      vertx.close();
      throw new Cli.Failure("cannot start: " + e.getMessage(), e);
    }
    PoolShape s = config.shape();
    PrintWriter out = spec.commandLine().getOut();
    out.printf("mock-vllm listening on %s:%d: model=%s shape=%s max_model_len=%d max_num_seqs=%d "
            + "kv_blocks=%d budget=%d prefix_caching=%s timing=%s x%.3g tokenizer=%s vllm=%s%n", config.host(),
        mock.actualPort(), String.join(",", config.models()), s.name(), s.maxModelLen(), s.maxNumSeqs(),
        s.numGpuBlocks(), s.maxNumBatchedTokens(), s.enablePrefixCaching(), config.cost().name(), config.timeScale(),
        config.tokenizer().name().toLowerCase(), config.api().version().label());
    out.flush();
    // the event loops serve; this thread only waits for the JVM to stop
    new CountDownLatch(1).await();
    return Cli.EXIT_OK;
  }

  /** Parses a command line into a configuration; a bad one fails with an IllegalArgumentException. */
  public static MockConfig parse(String[] args) throws IOException {
    MockVllmMain command = new MockVllmMain();
    try {
      new CommandLine(command).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return command.config();
  }

  /** The configuration these options describe; vLLM's own start-up refusals are refused here too. */
  MockConfig config() throws IOException {
    PoolShape shape = PoolShape.named(profile);
    if (maxModelLen != null) {
      shape = shape.withMaxModelLen(maxModelLen);
    }
    if (maxNumSeqs != null) {
      shape = shape.withMaxNumSeqs(maxNumSeqs);
    }
    if (kvBlocks != null) {
      shape = shape.withNumGpuBlocks(kvBlocks);
    }
    if (maxNumBatchedTokens != null) {
      shape = shape.withMaxNumBatchedTokens(maxNumBatchedTokens);
    }
    if (reserveFullIsl != null) {
      shape = shape.withReserveFullIsl(reserveFullIsl);
    }
    if (prefixCaching != null) {
      shape = shape.withPrefixCaching(prefixCaching);
    }
    if (shape.startupError() != null) {
      throw new IllegalArgumentException(shape.startupError() + " (vLLM refuses to start with these settings)");
    }
    Faults faults = new Faults(fail503, fail500, resetMidStream, hang, garbage, failInStream, failMidStream,
        dieAfter, faultSeed);
    MockConfig.Api api = new MockConfig.Api(VllmVersion.named(vllmVersion), usageNullChunks, maxNumQueuedReqs,
        lengthErrorsInStream);
    return new MockConfig(host, port, shape, CostModel.named(timing), PromptCounter.mode(tokenizer),
        servedModelNames == null || servedModelNames.isEmpty() ? List.of(model) : servedModelNames, timeScale,
        defaultMaxTokens, faults, true, api);
  }
}
