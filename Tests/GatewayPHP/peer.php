<?php
// An independent GatewayWorker 4 peer for the wire-compatibility tests, written from the protocol's
// description (pack("NCNnNnNCnN") header, PHP serialize() sessions, the Register's JSON lines), with
// nothing but php-cli. Three roles:
//
//   php peer.php client   <register host:port> <client_id A> <client_id B>
//       as GatewayClient: asks the register for the gateways, counts clients, sends to uid "u1" and
//       group "g", sets A's session, reads B's session; prints one JSON object with what it read.
//   php peer.php business <register host:port> <seconds>
//       as a PHP BusinessWorker: connects to every gateway, answers each client message M with
//       "php:M" and stores ['seen' => M, 'n' => [1, 2.5, true, null]] as the client's session.
//   php peer.php gateway  <register host:port> <lan port>
//       as a PHP Gateway: announces 127.0.0.1:<lan port>, takes one business worker, sends it a client
//       connect, a message "hello" and a message "bind:u9" with session ['uid' => 'p'], prints the
//       frames the worker sends back as JSON lines, and exits after two SEND_TO_ONE and a BIND_UID.

const HEAD_LEN = 28;
const FLAG_BODY_IS_SCALAR = 1;

function frame($cmd, $fields = []) {
    $f = $fields + ['local_ip' => 0, 'local_port' => 0, 'client_ip' => 0, 'client_port' => 0,
        'connection_id' => 0, 'flag' => 0, 'gateway_port' => 0, 'ext_data' => '', 'body' => ''];
    $body = $f['body'];
    $flag = $f['flag'];
    if (is_scalar($body)) { $flag |= FLAG_BODY_IS_SCALAR; $body = (string)$body; } else { $body = serialize($body); }
    $ext = $f['ext_data'];
    return pack('NCNnNnNCnN', HEAD_LEN + strlen($ext) + strlen($body), $cmd, $f['local_ip'], $f['local_port'],
        $f['client_ip'], $f['client_port'], $f['connection_id'], $flag, $f['gateway_port'], strlen($ext)) . $ext . $body;
}

function read_exactly($socket, $length) {
    $data = '';
    while (strlen($data) < $length) {
        $chunk = fread($socket, $length - strlen($data));
        if ($chunk === '' || $chunk === false) { fwrite(STDERR, "connection closed\n"); exit(3); }
        $data .= $chunk;
    }
    return $data;
}

function read_frame($socket) {
    $head = read_exactly($socket, HEAD_LEN);
    $h = unpack('Npack_len/Ccmd/Nlocal_ip/nlocal_port/Nclient_ip/nclient_port/Nconnection_id/Cflag/ngateway_port/Next_len', $head);
    $rest = read_exactly($socket, $h['pack_len'] - HEAD_LEN);
    $h['ext_data'] = substr($rest, 0, $h['ext_len']);
    $raw = substr($rest, $h['ext_len']);
    $h['body'] = ($h['flag'] & FLAG_BODY_IS_SCALAR) ? $raw : unserialize($raw, ['allowed_classes' => false]);
    return $h;
}

function read_reply($socket) {
    $length = unpack('N', read_exactly($socket, 4))[1];
    return unserialize(read_exactly($socket, $length), ['allowed_classes' => false]);
}

function gateway_addresses($register) {
    $socket = stream_socket_client("tcp://$register", $errno, $error, 5) or die("register: $error\n");
    fwrite($socket, json_encode(['event' => 'worker_connect', 'secret_key' => '']) . "\n");
    stream_set_timeout($socket, 5);
    $line = fgets($socket);
    $data = json_decode(trim($line), true);
    if (($data['event'] ?? '') !== 'broadcast_addresses') { fwrite(STDERR, "register said: $line\n"); exit(4); }
    return array_values($data['addresses']);
}

function client_address($client_id) {
    $a = unpack('Nlocal_ip/nlocal_port/Nconnection_id', pack('H*', $client_id));
    return [long2ip($a['local_ip']) . ':' . $a['local_port'], $a['connection_id']];
}

$role = $argv[1] ?? '';
$register = $argv[2] ?? '127.0.0.1:1236';

if ($role === 'client') {
    [$a, $b] = [$argv[3], $argv[4]];
    $gateways = [];
    foreach (gateway_addresses($register) as $address) {
        $gateways[$address] = stream_socket_client("tcp://$address", $errno, $error, 5) or die("gateway: $error\n");
        stream_set_timeout($gateways[$address], 5);
    }
    $count = 0;
    foreach ($gateways as $socket) {
        fwrite($socket, frame(24, ['ext_data' => '']));
        $count += read_reply($socket);
    }
    foreach ($gateways as $socket) {
        fwrite($socket, frame(14, ['ext_data' => json_encode(['u1']), 'body' => 'php-to-u1']));
        fwrite($socket, frame(22, ['ext_data' => json_encode(['group' => ['g'], 'exclude' => null]), 'body' => 'php-to-g']));
    }
    [$addressA, $idA] = client_address($a);
    $session = ['php' => ['nested' => [1, 2.5, true, null, 'x']], 7 => 'seven', 'unicode' => 'héllo'];
    fwrite($gateways[$addressA], frame(204, ['connection_id' => $idA, 'ext_data' => serialize($session)]));
    [$addressB, $idB] = client_address($b);
    fwrite($gateways[$addressB], frame(203, ['connection_id' => $idB]));
    $read = read_reply($gateways[$addressB]);
    fwrite($gateways[$addressB], frame(11, ['connection_id' => $idB]));
    $online = read_reply($gateways[$addressB]);
    echo json_encode(['count' => $count, 'session_b' => $read, 'online_b' => $online, 'gateways' => count($gateways)]), "\n";
    exit(0);
}

if ($role === 'business') {
    $deadline = microtime(true) + (float)($argv[3] ?? 10);
    $connections = [];
    foreach (gateway_addresses($register) as $address) {
        $socket = stream_socket_client("tcp://$address", $errno, $error, 5) or die("gateway: $error\n");
        stream_set_read_buffer($socket, 0);  // so that stream_select sees every frame
        fwrite($socket, frame(200, ['body' => json_encode(['worker_key' => 'PhpBusiness:0', 'secret_key' => ''])]));
        $connections[] = $socket;
    }
    echo "ready ", count($connections), "\n";
    while (microtime(true) < $deadline) {
        $read = $connections;
        $write = $except = null;
        if (!stream_select($read, $write, $except, 0, 200000)) { continue; }
        foreach ($read as $socket) {
            $f = read_frame($socket);
            if ($f['cmd'] !== 3) { continue; }
            $reply = ['local_ip' => $f['local_ip'], 'local_port' => $f['local_port'], 'connection_id' => $f['connection_id']];
            fwrite($socket, frame(5, $reply + ['body' => 'php:' . $f['body']]));
            $session = ['seen' => $f['body'], 'n' => [1, 2.5, true, null]];
            fwrite($socket, frame(204, $reply + ['ext_data' => serialize($session)]));
        }
    }
    exit(0);
}

if ($role === 'gateway') {
    $port = (int)$argv[3];
    $server = stream_socket_server("tcp://127.0.0.1:$port", $errno, $error) or die("listen: $error\n");
    $registerSocket = stream_socket_client("tcp://$register", $errno, $error, 5) or die("register: $error\n");
    fwrite($registerSocket, '{"event":"gateway_connect", "address":"127.0.0.1:' . $port . '", "secret_key":""}' . "\n");
    $worker = stream_socket_accept($server, 10) or die("no business worker connected\n");
    stream_set_timeout($worker, 10);
    $hello = read_frame($worker);
    $info = json_decode($hello['body'], true);
    echo json_encode(['cmd' => $hello['cmd'], 'worker_key' => $info['worker_key'] ?? null]), "\n";
    $client = ['local_ip' => ip2long('127.0.0.1'), 'local_port' => $port, 'client_ip' => ip2long('10.1.2.3'),
        'client_port' => 40000, 'connection_id' => 5, 'gateway_port' => 8282, 'ext_data' => serialize(['uid' => 'p'])];
    fwrite($worker, frame(1, $client));
    fwrite($worker, frame(3, $client + ['body' => 'hello']));
    fwrite($worker, frame(3, $client + ['body' => 'bind:u9']));
    $seen = [5 => 0, 12 => 0];
    while ($seen[5] < 2 || $seen[12] < 1) {
        $f = read_frame($worker);
        $seen[$f['cmd']] = ($seen[$f['cmd']] ?? 0) + 1;
        echo json_encode(['cmd' => $f['cmd'], 'connection_id' => $f['connection_id'], 'body' => $f['body'],
            'ext_data' => $f['ext_data'], 'scalar' => ($f['flag'] & FLAG_BODY_IS_SCALAR) === 1]), "\n";
    }
    exit(0);
}

fwrite(STDERR, "usage: php peer.php client|business|gateway ...\n");
exit(2);
