# em-websocket echo server: an independent draft-02 peer for interop tests.
# em-websocket 0.5.1 (Debian ruby-em-websocket) speaks Sec-WebSocket-Draft 1-3 through its
# "draft 03" handler family. Usage: ruby em-echo-server.rb PORT
# Prints "listening <port>" once it accepts connections.
require 'em-websocket'

port = Integer(ARGV[0] || 8090)
$stdout.sync = true
EM.run do
  EM::WebSocket.run(host: '127.0.0.1', port: port) do |ws|
    ws.onmessage { |m| ws.send(m) }
    ws.onbinary { |m| ws.send_binary(m) }
    ws.onping { |m| }
    ws.onerror { |e| $stderr.puts("em-websocket error: #{e.class}: #{e.message}") }
  end
  EM.next_tick { puts "listening #{port}" }
end
