-- wrk script: HTTP/1.1 pipelining. Every request() hands wrk PIPELINE_DEPTH (default 16)
-- concatenated "GET / HTTP/1.1" requests in one write; wrk then counts (and times) each of
-- the responses as it arrives, and sends the next batch once all of them are in.
--
--   PIPELINE_DEPTH=16 wrk -t1 -c100 -d5s --latency -s http-pipeline.lua http://127.0.0.1:8080/

local depth = tonumber(os.getenv("PIPELINE_DEPTH") or "") or 16
local batch

init = function(args)
    local requests = {}
    for i = 1, depth do
        requests[i] = wrk.format("GET", "/")   -- carries the Host header of the url
    end
    batch = table.concat(requests)
end

request = function()
    return batch
end
