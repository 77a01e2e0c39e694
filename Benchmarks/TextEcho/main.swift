// text-echo-bench: the README's text echo, as `Benchmarks/run.sh table` measures it. One process
// (TEXT_PROCESSES, default 1) on TEXT_PORT; every line comes back as it came (`connection.send(data)`).
import Glibc
import Workerman

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

let echo = Worker("text://0.0.0.0:\(environment("TEXT_PORT") ?? "5678")")
echo.name = "TextEchoBench"
echo.count = Int(environment("TEXT_PROCESSES") ?? "1") ?? 1
echo.onMessage = { connection, data in
    connection.send(data)
}
Worker.runAll()
