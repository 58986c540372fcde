package dev.sluice.mock;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/** {@code ./sluice mock-vllm}: runs one mock vLLM instance until killed. */
public final class MockVllmMain {

  private static final String HELP = """
      usage: ./sluice mock-vllm [options]
        --profile short|long|homogeneous   pool shape from conf/mock/<name>.properties (default short)
        --host ADDR                        address to bind (default 0.0.0.0; e.g. 127.0.0.2 for one of several
                                           endpoints on distinct loopback addresses)
        --port N                           listen port (default 8000; 0 = any)
        --max-model-len N                  override the profile's max_model_len
        --max-num-seqs N                   override max_num_seqs
        --kv-blocks N                      override num_gpu_blocks (blocks of 16 tokens)
        --max-num-batched-tokens N         override the per-step token budget (prefill chunk); like vLLM, the
                                           mock refuses to start when it is below max_num_seqs
        --scheduler-reserve-full-isl true|false
                                           admit a request only when its whole sequence fits the free KV blocks
                                           (vLLM's default, true) or when its first chunk does (false)
        --tokenizer cl100k|o200k|bytes     prompt token counting (default cl100k; bytes = UTF-8 bytes / 4)
        --timing gpu|instant               step cost model (default gpu)
        --time-scale X                     run X virtual seconds per wall second (default 1)
        --model NAME                       served model name
        --default-max-tokens N             output length when a request has no max_tokens (default 256)
        --vllm-version current|0.11        length-error wording and stream_options defaults (default current)
        --usage-null-chunks true|false     with include_usage, put "usage":null on the other chunks
                                           (OpenAI and vLLM up to 0.6; default false)
        --max-num-queued-reqs N            refuse with 503 beyond N waiting plus running requests (default 0: none)
        --length-errors-in-stream true|false
                                           refuse a too-long stream with a 200 and an error event, as SGLang
                                           does (default false: vLLM's 400)
      fault injection (fractions of completion requests; seeded):
        --fail-503 F  --fail-500 F  --reset-mid-stream F  --hang F  --garbage F
        --fail-in-stream F                 a 200 stream whose first event is vLLM's error event
        --fail-mid-stream F                vLLM's error event after a couple of content chunks
        --die-after N                      stop serving and exit after N completion requests
        --fault-seed N
      """;

  private MockVllmMain() {
  }

  public static void main(String[] args) throws Exception {
    MockConfig config;
    try {
      config = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("mock-vllm: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (config == null) {
      System.out.print(HELP);
      return;
    }
    Vertx vertx = Vertx.vertx();
    MockVllm mock = new MockVllm(config);
    vertx.deployVerticle(mock).await();
    PoolShape s = config.shape();
    System.out.printf("mock-vllm listening on %s:%d: model=%s shape=%s max_model_len=%d max_num_seqs=%d "
            + "kv_blocks=%d budget=%d timing=%s x%.3g tokenizer=%s vllm=%s%n", config.host(), mock.actualPort(),
        config.model(), s.name(), s.maxModelLen(), s.maxNumSeqs(), s.numGpuBlocks(), s.maxNumBatchedTokens(),
        config.cost().name(), config.timeScale(), config.tokenizer().name().toLowerCase(),
        config.api().version().label());
  }

  /** Parses the command line; null when help was asked for. */
  public static MockConfig parse(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return null;
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("bad option '" + a + "' (see --help)");
      }
      opts.put(a.substring(2), args[++i]);
    }
    PoolShape shape = PoolShape.named(opts.getOrDefault("profile", MockDefaults.PROFILE));
    if (opts.containsKey("max-model-len")) {
      shape = shape.withMaxModelLen(Integer.parseInt(opts.get("max-model-len")));
    }
    if (opts.containsKey("max-num-seqs")) {
      shape = shape.withMaxNumSeqs(Integer.parseInt(opts.get("max-num-seqs")));
    }
    if (opts.containsKey("kv-blocks")) {
      shape = shape.withNumGpuBlocks(Integer.parseInt(opts.get("kv-blocks")));
    }
    if (opts.containsKey("max-num-batched-tokens")) {
      shape = shape.withMaxNumBatchedTokens(Integer.parseInt(opts.get("max-num-batched-tokens")));
    }
    if (opts.containsKey("scheduler-reserve-full-isl")) {
      String gate = opts.get("scheduler-reserve-full-isl");
      if (!gate.equals("true") && !gate.equals("false")) {
        throw new IllegalArgumentException("--scheduler-reserve-full-isl is true or false, not '" + gate + "'");
      }
      shape = shape.withReserveFullIsl(gate.equals("true"));
    }
    if (shape.startupError() != null) {
      throw new IllegalArgumentException(shape.startupError() + " (vLLM refuses to start with these settings)");
    }
    Faults faults = new Faults(dbl(opts, "fail-503"), dbl(opts, "fail-500"), dbl(opts, "reset-mid-stream"),
        dbl(opts, "hang"), dbl(opts, "garbage"), dbl(opts, "fail-in-stream"), dbl(opts, "fail-mid-stream"),
        Long.parseLong(opts.getOrDefault("die-after", "0")), Long.parseLong(opts.getOrDefault("fault-seed", "1")));
    MockConfig.Api api = new MockConfig.Api(VllmVersion.named(opts.getOrDefault("vllm-version", "current")),
        Boolean.parseBoolean(opts.getOrDefault("usage-null-chunks", "false")),
        Integer.parseInt(opts.getOrDefault("max-num-queued-reqs", "0")),
        Boolean.parseBoolean(opts.getOrDefault("length-errors-in-stream", "false")));
    MockConfig config = new MockConfig(opts.getOrDefault("host", MockDefaults.HOST),
        Integer.parseInt(opts.getOrDefault("port", "" + MockDefaults.PORT)), shape,
        CostModel.named(opts.getOrDefault("timing", MockDefaults.TIMING)),
        PromptCounter.mode(opts.getOrDefault("tokenizer", MockDefaults.TOKENIZER)),
        opts.getOrDefault("model", MockDefaults.MODEL), Double.parseDouble(opts.getOrDefault("time-scale", "1")),
        Integer.parseInt(opts.getOrDefault("default-max-tokens", "" + MockDefaults.DEFAULT_MAX_TOKENS)), faults, true,
        api);
    for (String key : opts.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new IllegalArgumentException("unknown option --" + key + " (see --help)");
      }
    }
    return config;
  }

  private static final java.util.Set<String> KNOWN = java.util.Set.of("profile", "host", "port", "max-model-len",
      "max-num-seqs", "kv-blocks", "max-num-batched-tokens", "scheduler-reserve-full-isl", "tokenizer", "timing",
      "time-scale", "model", "default-max-tokens", "fail-503", "fail-500", "reset-mid-stream", "hang", "garbage",
      "die-after", "fault-seed", "usage-null-chunks", "vllm-version", "max-num-queued-reqs",
      "length-errors-in-stream", "fail-in-stream", "fail-mid-stream");

  private static double dbl(Map<String, String> opts, String key) {
    return Double.parseDouble(opts.getOrDefault(key, "0"));
  }
}
