import Glibc
import Workerman
// The Channel and GlobalData tests' process: one program, several roles chosen by ROLE.
//
//   ROLE=channel-server      a ChannelServer on 127.0.0.1:$PORT (0: any port; the banner tells)
//   ROLE=globaldata-server   a GlobalDataServer on 127.0.0.1:$PORT ($DATA_FILE: persistence)
//   ROLE=group-workers       seed 000's group send over the text protocol, $COUNT processes,
//                            Channel at 127.0.0.1:$CHANNEL_PORT
//   ROLE=incrementers        $COUNT processes each increment "counter" $TIMES times in GlobalData at
//                            $GLOBAL_ADDRESS (redis://...) or 127.0.0.1:$GLOBAL_PORT (even ids
//                            with the blocking client, odd ids with the non-blocking one)
//   ROLE=lockers             $COUNT processes take a cas lock $TIMES times each and check that
//                            nobody else holds it meanwhile
//   ROLE=redis-channel       $COUNT processes on Channel over Redis at $CHANNEL_URL (see
//                            RedisChannelWorkers.swift)
//   ROLE=bench               see Bench.swift
//
// Every role is a Workerman program: run it with `start`; it prints the start banner.
import WorkermanChannel
import WorkermanGlobalData

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
func number(_ name: String, _ fallback: Int) -> Int { environment(name).flatMap { Int($0) } ?? fallback }

Worker.stopTimeout = 1
switch environment("ROLE") ?? "" {
case "channel-server":
    _ = ChannelServer("127.0.0.1", number("PORT", 0))
case "globaldata-server":
    let server = GlobalDataServer("127.0.0.1", number("PORT", 0))
    server.dataFile = environment("DATA_FILE")
    server.snapshotInterval = Double(number("SNAPSHOT_MS", 60_000)) / 1000
case "group-workers":
    GroupWorkers.make(count: number("COUNT", 4), channelPort: number("CHANNEL_PORT", 2206))
case "incrementers":
    Incrementers.make(
        count: number("COUNT", 4), times: number("TIMES", 10_000),
        address: environment("GLOBAL_ADDRESS") ?? "127.0.0.1:\(number("GLOBAL_PORT", 2207))")
case "lockers":
    Lockers.make(
        count: number("COUNT", 4), times: number("TIMES", 200),
        address: environment("GLOBAL_ADDRESS") ?? "127.0.0.1:\(number("GLOBAL_PORT", 2207))")
case "redis-channel":
    RedisChannelWorkers.make(count: number("COUNT", 4), url: environment("CHANNEL_URL") ?? "redis://127.0.0.1:6379")
case "bench":
    Bench.make()
default:
    StandardStream.error("set ROLE (see the top of Tests/Fixtures/ChannelProbe/main.swift)\n")
    exit(2)
}
Worker.runAll()
