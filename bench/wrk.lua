-- One wrk script for every scenario. It counts responses by status (wrk itself counts
-- a 302 to the sign-in page as a success) and prints the counts as the last line.
-- BENCH_TOKENS names a file of API tokens, one a line: the script then POSTs a comment
-- to the URL as each token's user in turn.
local tokens_file = os.getenv("BENCH_TOKENS")
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  sent = 0
  tokens = {}
  if tokens_file then
    for line in io.lines(tokens_file) do
      tokens[#tokens + 1] = line
    end
  end
end

if tokens_file then
  function request()
    sent = sent + 1
    -- Threads start at different tokens so that they do not post as the same user in step.
    local token = tokens[(id * 97 + sent) % #tokens + 1]
    local headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    headers["Authorization"] = "Bearer " .. token
    headers["Content-Type"] = "application/json"
    local body = string.format(
      '{"body": "Load test %d-%d: our delegation supports the paragraph and asks that progress be reported annually.", "submit": true}',
      id, sent)
    return wrk.format("POST", nil, headers, body)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
  end
  io.write("BENCH-STATUSES {" .. table.concat(parts, ", ") .. "}\n")
end
