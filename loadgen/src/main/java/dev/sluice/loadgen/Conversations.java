package dev.sluice.loadgen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Multi-turn load ({@code ./sluice loadgen --sessions N --turns K}): N conversations at once, each K turns one
 * after the other. Turn k's messages are turn k−1's, the answer it got and a new user message of about
 * {@code --prompt-tokens} (512-byte corpus pieces drawn at random until their true counts reach it, so no two
 * conversations share an opening), as a chat client sends them (with {@code --api}: as the Responses API's input
 * items, the Messages API's messages, or one completions prompt of the whole conversation's text); every turn names
 * its conversation, in OpenAI's {@code prompt_cache_key} or, with {@code --session-header} (and always for the
 * Messages API, which has no such field), an {@code x-session-id} header. Between an
 * answer and the next turn a conversation thinks for a time drawn uniformly from half to one and a half
 * {@code --think-time}; conversations start spread over one think time, and conversation i talks to target
 * {@code i mod targets}. Every turn streams, since what it measures is the time to the first token.
 *
 * <p>The report gives the TTFT per turn (the first turn finds nothing cached; later ones find the history where
 * it was left), the prompt tokens each turn carried (from the usage the stream ends with), which pool served it
 * (Sluice's {@code x-sluice-pool}) and the prefix-cache hit rate: {@code vllm:prefix_cache_hits_total} over
 * {@code vllm:prefix_cache_queries_total}, the difference between before and after the run, summed over the
 * {@code --scrape} endpoints (by default the targets themselves, when they are vLLM servers). The same seed sends
 * the same conversations, so two runs compare like with like.
 */
public final class Conversations {

  static final String USAGE = """
      usage: ./sluice loadgen --sessions N --turns K --target URL [--target URL2 ...] [options]
        --sessions N          conversations at once (each of K turns)
        --turns K             turns per conversation
        --think-time D        mean pause between an answer and the next turn, e.g. 2s (default 1s; each pause
                              uniform in [D/2, 3D/2])
        --session-header      name the conversation in an x-session-id header instead of prompt_cache_key
      """ + Api.HELP + """
        --prompt-tokens N     tokens of each new user message (default 256)
        --mix CAT             prompt category of the user messages (default prose)
        --max-tokens N        answer length (default 128)
        --scrape URL,...      vLLM servers whose /metrics give the prefix-cache hit rate (default: the targets)
        --model NAME          model field (default: the first of the first target's /v1/models)
        --timeout D           idle timeout per request (default 60s)
        --report FILE.json    write the JSON report
        --seed S              seed of the conversations' content and pauses (default 1)
        --corpus DIR          corpus folder (default ../shared/data/corpus)
      """;

  /** The header a conversation is named by with {@code --session-header}. */
  static final String SESSION_HEADER = "x-session-id";

  /** What one run is. */
  public record Options(List<URI> targets, int sessions, int turns, long thinkNanos, boolean sessionHeader,
      int promptTokens, String category, int maxTokens, List<URI> scrape, String model, long timeoutMillis,
      Path report, long seed, Path corpus, Api api) {

    public Options {
      if (targets.isEmpty() || sessions < 1 || turns < 1 || promptTokens < 1 || maxTokens < 1 || thinkNanos < 0) {
        throw new IllegalArgumentException("--target, --sessions >= 1, --turns >= 1, --prompt-tokens >= 1 and "
            + "--max-tokens >= 1 are required, --think-time >= 0");
      }
      if (!api.generates()) {
        throw new IllegalArgumentException("--api " + api.id() + " cannot go with --sessions: an embedding has no "
            + "answer a next turn could carry on from");
      }
    }

    public Options withModel(String name) {
      return new Options(targets, sessions, turns, thinkNanos, sessionHeader, promptTokens, category, maxTokens,
          scrape, name, timeoutMillis, report, seed, corpus, api);
    }

    /** Whether conversations are named in a header: asked for, or the Messages API, which has no field for it. */
    boolean namedByHeader() {
      return sessionHeader || api == Api.MESSAGES;
    }

    /** Where the hit rate is read: {@code --scrape}, else the targets. */
    List<URI> scraped() {
      return scrape.isEmpty() ? targets : scrape;
    }
  }

  /** The longest TTFT a histogram holds: an hour, so that a turn queued behind a saturated pool is still counted. */
  public static final long HOUR_NANOS = 3_600_000_000_000L;

  /** What happened to the turns of one index (turn 1, turn 2, ...) over all conversations. */
  public static final class TurnStats {
    final Histogram ttft = new Histogram(HOUR_NANOS, 3);
    long answered;
    long failed;
    long promptTokens;
    final Map<String, Long> pools = new TreeMap<>();

    public long answered() {
      return answered;
    }

    public long failed() {
      return failed;
    }

    /** TTFT quantile in milliseconds. */
    public double ttftMs(double quantile) {
      return ttft.getTotalCount() == 0 ? Double.NaN : ttft.getValueAtPercentile(quantile * 100) / 1e6;
    }

    /** The TTFT histogram in nanoseconds, for pooling several turns; a copy. */
    public Histogram ttftHistogram() {
      return ttft.copy();
    }

    /** Mean prompt tokens of the answered turns (from the stream's usage), 0 when none reported it. */
    public double meanPromptTokens() {
      return answered == 0 ? 0 : (double) promptTokens / answered;
    }

    /** Answered turns by the pool that served them ({@code x-sluice-pool}; "-" without the header). */
    public Map<String, Long> pools() {
      return pools;
    }
  }

  /**
   * A run's result.
   *
   * @param turns     per turn index, then all turns together (the last element)
   * @param queries   prefix-cache queries over the run, in tokens, summed over the scraped endpoints
   * @param hits      prefix-cache hits over the run, in tokens
   * @param seconds   wall time of the run
   * @param moves     conversations by how many times their serving pool changed from one turn to the next
   *                  (index 0: never; the last index counts that many or more)
   */
  public record Result(List<TurnStats> turns, double queries, double hits, double seconds, long[] moves) {

    public TurnStats all() {
      return turns.get(turns.size() - 1);
    }

    /** Hits over queries, NaN when nothing was queried. */
    public double hitRate() {
      return queries > 0 ? hits / queries : Double.NaN;
    }
  }

  private Conversations() {
  }

  /** Whether a {@code ./sluice loadgen} command line asks for conversations. */
  public static boolean asked(String[] args) {
    for (String a : args) {
      if (a.equals("--sessions")) {
        return true;
      }
    }
    return false;
  }

  /** {@code ./sluice loadgen --sessions ...}, once its command line is parsed: runs and reports. */
  static void serve(Options o) throws Exception {
    if (o.model() == null) {
      o = o.withModel(Loadgen.servedModel(o.targets().get(0)));
    }
    Vertx vertx = Vertx.vertx();
    try {
      Result r = run(vertx, o);
      System.out.print(describe(o, r));
      if (o.report() != null) {
        java.nio.file.Files.writeString(o.report(), toJson(o, r).encodePrettily());
      }
    } finally {
      vertx.close().await();
    }
  }

  /** Parses the command line; null when help was asked for. */
  public static Options parse(String[] args) {
    if (java.util.Arrays.asList(args).contains("--help")) {
      return null;
    }
    List<URI> targets = new ArrayList<>();
    List<URI> scrape = new ArrayList<>();
    Map<String, String> v = new LinkedHashMap<>();
    boolean sessionHeader = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--session-header" -> sessionHeader = true;
        case "--target" -> targets.add(url(value(args, ++i, a)));
        case "--scrape" -> {
          for (String s : value(args, ++i, a).split(",")) {
            scrape.add(url(s.trim()));
          }
        }
        case "--sessions", "--turns", "--think-time", "--prompt-tokens", "--mix", "--max-tokens", "--model",
            "--timeout", "--report", "--seed", "--corpus", "--api" -> v.put(a.substring(2), value(args, ++i, a));
        default -> throw new IllegalArgumentException("unknown or misplaced option " + a + " with --sessions");
      }
    }
    return new Options(targets, Integer.parseInt(v.getOrDefault("sessions", "0")),
        Integer.parseInt(v.getOrDefault("turns", "0")), Loadgen.parseDuration(v.getOrDefault("think-time", "1s")),
        sessionHeader, Integer.parseInt(v.getOrDefault("prompt-tokens", "256")), v.getOrDefault("mix", "prose"),
        Integer.parseInt(v.getOrDefault("max-tokens", "128")), scrape, v.get("model"),
        TimeUnit.NANOSECONDS.toMillis(Loadgen.parseDuration(v.getOrDefault("timeout", "60s"))),
        v.containsKey("report") ? Path.of(v.get("report")) : null, Long.parseLong(v.getOrDefault("seed", "1")),
        v.containsKey("corpus") ? Path.of(v.get("corpus")) : Corpus.defaultDir(),
        Api.parse(v.getOrDefault("api", Api.CHAT.id())));
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static URI url(String text) {
    URI u = URI.create(text);
    if (u.getHost() == null || u.getPort() < 0) {
      throw new IllegalArgumentException("a URL with a host and a port, not '" + text + "'");
    }
    return u;
  }

  /** Runs the conversations and waits for the last turn. */
  public static Result run(Vertx vertx, Options o) throws Exception {
    Corpus corpus = Corpus.load(o.corpus(), Corpus.Tokenizer.LLAMA3);
    List<Corpus.Chunk> pieces = corpus.category(o.category()).fine();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
            .setIdleTimeout((int) Math.max(1, o.timeoutMillis())).setIdleTimeoutUnit(TimeUnit.MILLISECONDS),
        new PoolOptions().setHttp1MaxSize(Math.max(8, o.sessions())));
    try {
      Map<URI, double[]> before = PrefixCacheScrape.read(client, o.scraped());
      List<TurnStats> turns = new ArrayList<>();
      for (int k = 0; k <= o.turns(); k++) {
        turns.add(new TurnStats());
      }
      long started = System.nanoTime();
      List<Future<Void>> all = new ArrayList<>();
      SplittableRandom starts = new SplittableRandom(o.seed());
      List<Conversation> conversations = new ArrayList<>();
      for (int i = 0; i < o.sessions(); i++) {
        Conversation c = new Conversation(vertx, client, o, i, pieces, turns);
        conversations.add(c);
        long delayMs = o.thinkNanos() == 0 ? 0 : (long) (starts.nextDouble() * o.thinkNanos() / 1e6);
        Promise<Void> done = Promise.promise();
        vertx.setTimer(Math.max(1, delayMs), t -> c.next().onComplete(done));
        all.add(done.future());
      }
      Future.join(all).await();
      double seconds = (System.nanoTime() - started) / 1e9;
      Map<URI, double[]> after = PrefixCacheScrape.read(client, o.scraped());
      double queries = 0;
      double hits = 0;
      for (URI u : o.scraped()) {
        queries += after.get(u)[0] - before.get(u)[0];
        hits += after.get(u)[1] - before.get(u)[1];
      }
      long[] moves = new long[4];
      for (Conversation c : conversations) {
        moves[Math.min(moves.length - 1, c.moves)]++;
      }
      return new Result(turns, queries, hits, seconds, moves);
    } finally {
      client.close().await();
    }
  }

  /** One conversation: its messages so far and the next turn to send. */
  private static final class Conversation {
    private final Vertx vertx;
    private final HttpClientAgent client;
    private final Options o;
    private final URI target;
    private final String name;
    private final SplittableRandom random;
    private final List<Corpus.Chunk> pieces;
    private final List<TurnStats> stats;
    private final List<Dataset.Message> messages = new ArrayList<>();
    private int turn;
    private String lastPool;
    int moves;

    Conversation(Vertx vertx, HttpClientAgent client, Options o, int index, List<Corpus.Chunk> pieces,
        List<TurnStats> stats) {
      this.vertx = vertx;
      this.client = client;
      this.o = o;
      this.target = o.targets().get(index % o.targets().size());
      this.name = "conversation-" + o.seed() + "-" + index;
      this.random = new SplittableRandom(o.seed() * 1_000_003L + index);
      this.pieces = pieces;
      this.stats = stats;
    }

    /** Sends the next turn, then, after a pause, the one after; completes after the last or a failure. */
    Future<Void> next() {
      if (turn == o.turns()) {
        return Future.succeededFuture();
      }
      messages.add(new Dataset.Message("user", message()));
      Buffer body = Buffer.buffer(RequestBody.encode(o.api(), o.model(), messages, o.maxTokens(), true,
          o.namedByHeader() ? null : name));
      TurnStats ts = stats.get(turn);
      TurnStats all = stats.get(o.turns());
      turn++;
      return send(body).compose(answer -> {
        if (lastPool != null && !lastPool.equals(answer.pool)) {
          moves++;
        }
        lastPool = answer.pool;
        record(ts, answer);
        record(all, answer);
        messages.add(new Dataset.Message("assistant", answer.text));
        return pause().compose(v -> next());
      }, err -> {
        ts.failed++;
        all.failed++;
        return Future.succeededFuture();   // a conversation whose turn failed ends there
      });
    }

    /** Random corpus pieces until their true token counts reach {@code --prompt-tokens}. */
    private String message() {
      StringBuilder text = new StringBuilder();
      for (int tokens = 0; tokens < o.promptTokens(); ) {
        Corpus.Chunk c = pieces.get(random.nextInt(pieces.size()));
        text.append(new String(c.file(), c.offset(), c.length(), StandardCharsets.UTF_8));
        tokens += c.tokens();
      }
      return text.toString();
    }

    private static void record(TurnStats ts, Answer a) {
      ts.answered++;
      ts.ttft.recordValue(Math.max(1, a.ttftNanos));
      ts.promptTokens += a.promptTokens;
      ts.pools.merge(a.pool, 1L, Long::sum);
    }

    private Future<Void> pause() {
      if (o.thinkNanos() == 0) {
        return Future.succeededFuture();
      }
      long ms = Math.max(1, (long) ((0.5 + random.nextDouble()) * o.thinkNanos() / 1e6));
      Promise<Void> p = Promise.promise();
      vertx.setTimer(ms, t -> p.complete());
      return p.future();
    }

    private Future<Answer> send(Buffer body) {
      RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.getHost())
          .setPort(target.getPort()).setURI(path(target, o.api())).putHeader("content-type", "application/json")
          .setIdleTimeout(o.timeoutMillis());
      if (o.namedByHeader()) {
        request.putHeader(SESSION_HEADER, name);
      }
      if (o.api() == Api.MESSAGES) {
        request.putHeader(Api.ANTHROPIC_VERSION_HEADER, Api.ANTHROPIC_VERSION);
      }
      long sent = System.nanoTime();
      return client.request(request).compose(req -> req.send(body)).compose(resp -> {
        if (resp.statusCode() != 200) {
          return resp.body().compose(b -> Future.failedFuture("status " + resp.statusCode() + ": " + b));
        }
        return read(resp, sent, o.api());
      });
    }

    private static String path(URI target, Api api) {
      String p = target.getRawPath();
      return p == null || p.isEmpty() || p.equals("/") ? api.path() : p;
    }

    private static Future<Answer> read(HttpClientResponse resp, long sent, Api api) {
      Promise<Answer> result = Promise.promise();
      String pool = resp.getHeader("x-sluice-pool");
      SseText sse = new SseText(sent, api);
      resp.handler(sse::feed);
      resp.exceptionHandler(result::tryFail);
      resp.endHandler(v -> {
        if (sse.error != null) {
          result.tryFail(sse.error);
        } else if (!sse.done || sse.ttftNanos < 0) {
          result.tryFail("the stream ended without its end event or without a token");
        } else {
          result.tryComplete(new Answer(sse.text.toString(), sse.ttftNanos, sse.promptTokens,
              pool == null ? "-" : pool));
        }
      });
      return result.future();
    }
  }

  private record Answer(String text, long ttftNanos, long promptTokens, String pool) {
  }

  /**
   * The content of a stream as it arrives: its text, the first token's time, the prompt tokens its usage stated.
   * A chat or completions stream ends with {@code [DONE]} and states its usage in the chunk before; a Responses
   * stream with {@code response.completed}, whose response has the usage; a Messages stream with
   * {@code message_stop}, stating its input in {@code message_start}. Named events are told apart by the
   * {@code type} each one's data carries.
   */
  static final class SseText {
    private final long sent;
    private final Api api;
    private final StringBuilder pending = new StringBuilder();
    final StringBuilder text = new StringBuilder();
    long ttftNanos = -1;
    long promptTokens;
    boolean done;
    String error;

    SseText(long sent, Api api) {
      this.sent = sent;
      this.api = api;
    }

    void feed(Buffer chunk) {
      pending.append(chunk.toString(StandardCharsets.UTF_8));
      int end;
      while ((end = pending.indexOf("\n")) >= 0) {
        String line = pending.substring(0, end).trim();
        pending.delete(0, end + 1);
        if (line.startsWith("data:")) {
          event(line.substring(5).trim());
        }
      }
    }

    private void event(String data) {
      if (data.equals("[DONE]")) {
        done = true;
        return;
      }
      JsonObject e = new JsonObject(data);
      switch (api) {
        case RESPONSES -> response(e);
        case MESSAGES -> message(e);
        default -> chunk(e);
      }
    }

    /** A chat or completions chunk. */
    private void chunk(JsonObject e) {
      if (e.containsKey("error")) {
        error = String.valueOf(e.getValue("error"));
        return;
      }
      usage(e.getJsonObject("usage"), "prompt_tokens");
      JsonArray choices = e.getJsonArray("choices");
      if (choices == null || choices.isEmpty()) {
        return;
      }
      JsonObject choice = choices.getJsonObject(0);
      JsonObject delta = choice.getJsonObject("delta");
      text(api == Api.COMPLETIONS ? choice.getString("text") : delta == null ? null : delta.getString("content"),
          true);
    }

    private void response(JsonObject e) {
      switch (e.getString("type", "")) {
        case "response.output_text.delta" -> text(e.getString("delta"), false);
        case "response.completed", "response.incomplete" -> {
          JsonObject response = e.getJsonObject("response");
          usage(response == null ? null : response.getJsonObject("usage"), "input_tokens");
          done = true;
        }
        case "error", "response.failed" -> error = e.encode();
        default -> {
        }
      }
    }

    private void message(JsonObject e) {
      switch (e.getString("type", "")) {
        case "message_start" -> {
          JsonObject message = e.getJsonObject("message");
          usage(message == null ? null : message.getJsonObject("usage"), "input_tokens");
        }
        case "content_block_delta" -> {
          JsonObject delta = e.getJsonObject("delta");
          text(delta == null ? null : delta.getString("text"), false);
        }
        case "message_delta" -> usage(e.getJsonObject("usage"), "input_tokens");
        case "message_stop" -> done = true;
        case "error" -> error = e.encode();
        default -> {
        }
      }
    }

    /** A text event: the first one (a chat stream's role chunk among them, {@code always}) is the first token. */
    private void text(String content, boolean always) {
      if (ttftNanos < 0 && (always || content != null)) {
        ttftNanos = System.nanoTime() - sent;
      }
      if (content != null) {
        text.append(content);
      }
    }

    private void usage(JsonObject usage, String field) {
      if (usage != null && usage.getLong(field) != null) {
        promptTokens = usage.getLong(field);
      }
    }
  }

  /** The report as text. */
  public static String describe(Options o, Result r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "conversations (%s): %d x %d turns over %d target(s), named by %s, "
            + "think time %.1f s, %d-token messages, %d-token answers; %.1f s%n", o.api().id(), o.sessions(),
        o.turns(), o.targets().size(), o.namedByHeader() ? SESSION_HEADER : "prompt_cache_key", o.thinkNanos() / 1e9,
        o.promptTokens(), o.maxTokens(), r.seconds()));
    b.append(String.format(Locale.ROOT, "  %-5s %8s %7s %10s %10s %10s  %s%n", "turn", "answered", "failed",
        "prompt", "TTFT p50", "TTFT p99", "pools"));
    for (int k = 0; k < r.turns().size(); k++) {
      TurnStats t = r.turns().get(k);
      b.append(String.format(Locale.ROOT, "  %-5s %8d %7d %10.0f %8.0f ms %7.0f ms  %s%n",
          k == r.turns().size() - 1 ? "all" : String.valueOf(k + 1), t.answered(), t.failed(),
          t.meanPromptTokens(), t.ttftMs(0.5), t.ttftMs(0.99), t.pools()));
    }
    b.append(String.format(Locale.ROOT, "  prefix cache (%d endpoint(s)): %.0f of %.0f prompt tokens found cached, "
        + "hit rate %.1f%%%n", o.scraped().size(), r.hits(), r.queries(), 100 * r.hitRate()));
    b.append(String.format(Locale.ROOT, "  conversations whose pool changed 0 / 1 / 2 / 3+ times: %d / %d / %d / %d%n",
        r.moves()[0], r.moves()[1], r.moves()[2], r.moves()[3]));
    return b.toString();
  }

  /** The report as JSON. */
  public static JsonObject toJson(Options o, Result r) {
    JsonArray turns = new JsonArray();
    for (int k = 0; k < r.turns().size(); k++) {
      TurnStats t = r.turns().get(k);
      turns.add(new JsonObject().put("turn", k == r.turns().size() - 1 ? "all" : String.valueOf(k + 1))
          .put("answered", t.answered()).put("failed", t.failed()).put("meanPromptTokens", t.meanPromptTokens())
          .put("ttftP50Ms", t.ttftMs(0.5)).put("ttftP99Ms", t.ttftMs(0.99))
          .put("pools", new JsonObject(new LinkedHashMap<>(t.pools()))));
    }
    return new JsonObject().put("api", o.api().id()).put("sessions", o.sessions()).put("turns", o.turns())
        .put("thinkTimeS", o.thinkNanos() / 1e9).put("sessionHeader", o.namedByHeader())
        .put("promptTokens", o.promptTokens()).put("maxTokens", o.maxTokens()).put("seed", o.seed())
        .put("targets", new JsonArray(o.targets().stream().map(URI::toString).toList()))
        .put("seconds", r.seconds()).put("prefixCacheQueries", r.queries()).put("prefixCacheHits", r.hits())
        .put("prefixCacheHitRate", r.hitRate())
        .put("poolChanges", new JsonArray(java.util.Arrays.stream(r.moves()).boxed().toList()))
        .put("perTurn", turns);
  }
}
