package dev.sluice.dispatcher;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server for tests, on UDP on 127.0.0.1 and a free port, built on Netty's DNS codec: it answers A and AAAA
 * questions from a table the test changes while it runs (TTL 0, so nothing is cached), NXDOMAIN for names it
 * does not hold, and nothing at all while {@link #silent} is set (a server that does not answer).
 */
public final class FakeDns implements AutoCloseable {
  private final Map<String, List<String>> records = new ConcurrentHashMap<>();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final AtomicInteger queries = new AtomicInteger();
  private final Channel channel;
  /** Drop every question unanswered. */
  public volatile boolean silent;

  public FakeDns() throws InterruptedException {
    channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<NioDatagramChannel>() {
          @Override
          protected void initChannel(NioDatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answer());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  /** {@code host:port}, as {@code --dns-server} takes it. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** {@code name} answers these addresses from now on (IPv4 as A records, IPv6 as AAAA); none: NXDOMAIN. */
  public FakeDns set(String name, String... addresses) {
    if (addresses.length == 0) {
      records.remove(key(name));
    } else {
      records.put(key(name), List.of(addresses));
    }
    return this;
  }

  /** Questions received so far. */
  public int queries() {
    return queries.get();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  private final class Answer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) throws Exception {
      queries.incrementAndGet();
      if (silent) {
        return;
      }
      DnsQuestion question = query.recordAt(DnsSection.QUESTION);
      DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
      List<String> addresses = records.get(key(question.name()));
      if (addresses == null) {
        response.setCode(DnsResponseCode.NXDOMAIN);
      } else {
        for (String a : addresses) {
          byte[] bytes = InetAddress.getByName(a).getAddress();
          DnsRecordType type = bytes.length == 4 ? DnsRecordType.A : DnsRecordType.AAAA;
          if (type.equals(question.type())) {
            response.addRecord(DnsSection.ANSWER,
                new DefaultDnsRawRecord(question.name(), type, 0, Unpooled.wrappedBuffer(bytes)));
          }
        }
      }
      ctx.writeAndFlush(response);
    }
  }
}
