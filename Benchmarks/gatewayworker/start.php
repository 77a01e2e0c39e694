<?php
// The PHP anchor of `Benchmarks/run.sh gateway`: the same topology and events as our gateway-probe
// (Tests/Fixtures/GatewayProbe) on GatewayWorker 4 and Workerman 5 checkouts given by
// GATEWAYWORKER_DIR and WORKERMAN_DIR (WORKERMAN_COROUTINE_DIR too when that Workerman needs it).
// A register, a websocket gateway with 2 processes, 4 business workers:
//   "join:<g>" joins group <g> and answers "ok:join:<g>"; "all:<n>" sends "all<k>" to everyone n
//   times; "groups:<n>" sends "grp<k>" to each of g0...g99 n times; anything else M answers "v0:M".
use GatewayWorker\BusinessWorker;
use GatewayWorker\Gateway;
use GatewayWorker\Lib\Gateway as Api;
use GatewayWorker\Register;
use Workerman\Worker;

// (prefix, directory) in order; a class not found under one is looked for under the next.
$roots = [['GatewayWorker\\', getenv('GATEWAYWORKER_DIR') . '/src/'],
    ['Workerman\\Coroutine\\', getenv('WORKERMAN_COROUTINE_DIR') . '/src/'],
    ['Workerman\\', getenv('WORKERMAN_DIR') . '/src/'], ['Workerman\\', getenv('WORKERMAN_COROUTINE_DIR') . '/src/']];
spl_autoload_register(function ($class) use ($roots) {
    foreach ($roots as [$prefix, $dir]) {
        if (strncmp($class, $prefix, strlen($prefix)) === 0) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) { require $file; return; }
        }
    }
});

class Events
{
    public static function onMessage($client_id, $message)
    {
        if (strncmp($message, 'join:', 5) === 0) {
            Api::joinGroup($client_id, substr($message, 5));
            Api::sendToCurrentClient("ok:$message");
        } elseif (strncmp($message, 'all:', 4) === 0) {
            for ($k = 0; $k < (int)substr($message, 4); $k++) { Api::sendToAll("all$k"); }
        } elseif (strncmp($message, 'groups:', 7) === 0) {
            for ($k = 0; $k < (int)substr($message, 7); $k++) {
                for ($g = 0; $g < 100; $g++) { Api::sendToGroup("g$g", "grp$k"); }
            }
        } else {
            Api::sendToCurrentClient("v0:$message");
        }
    }
}

$registerPort = (int)getenv('REGISTER_PORT');
new Register("text://127.0.0.1:$registerPort");
$gateway = new Gateway('websocket://0.0.0.0:' . (int)getenv('TEXT_PORT'));
$gateway->count = 2;
$gateway->startPort = (int)getenv('START_PORT');
$gateway->registerAddress = "127.0.0.1:$registerPort";
$business = new BusinessWorker();
$business->count = 4;
$business->registerAddress = "127.0.0.1:$registerPort";
Worker::$pidFile = getenv('PHP_RUNTIME') . '/gatewayworker.pid';
Worker::$logFile = getenv('PHP_RUNTIME') . '/gatewayworker.log';
Worker::runAll();
