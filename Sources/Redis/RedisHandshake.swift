/// The commands sent first on every new connection: `HELLO 3` (with AUTH) or `AUTH`, then
/// `CLIENT SETNAME` and `SELECT` as the endpoint and options ask.
enum RedisHandshake {
    static func commands(_ endpoint: RedisEndpoint, _ options: RedisOptions) -> [RedisCommand] {
        var commands: [RedisCommand] = []
        if options.protocolVersion == 3 {
            var arguments: [any RedisArgument] = [3]
            if let password = endpoint.password { arguments += ["AUTH", endpoint.username ?? "default", password] }
            commands.append(RedisCommand("HELLO", arguments: arguments))
        } else if let password = endpoint.password {
            commands.append(
                endpoint.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
        }
        if let name = options.clientName { commands.append(RedisCommand("CLIENT", "SETNAME", name)) }
        if endpoint.database != 0 { commands.append(RedisCommand("SELECT", endpoint.database)) }
        return commands
    }
}
