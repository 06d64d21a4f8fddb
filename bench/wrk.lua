-- One wrk script for every scenario. It counts responses by status (wrk itself counts
-- a 302 to the sign-in page as a success) and prints the counts as the last line.
-- BENCH_TOKENS names a file of API tokens, one a line: the script then POSTs a comment
-- as each token's user in turn, to the URL or, with BENCH_PATHS (a file of paths, one a
-- line), to a random one of those paths.
-- BENCH_READS names a file of "path<TAB>cookie" lines: the script then GETs a random line's
-- path with its cookie (readers of several delegations reading their paragraphs).
local tokens_file = os.getenv("BENCH_TOKENS")
local paths_file = os.getenv("BENCH_PATHS")
local reads_file = os.getenv("BENCH_READS")
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function lines(file)
  local found = {}
  if file then
    for line in io.lines(file) do
      found[#found + 1] = line
    end
  end
  return found
end

function init(args)
  statuses = {}
  sent = 0
  tokens = lines(tokens_file)
  paths = lines(paths_file)
  reads = {}
  for _, line in ipairs(lines(reads_file)) do
    local path, cookie = line:match("^([^\t]+)\t(.*)$")
    reads[#reads + 1] = {path, cookie}
  end
  math.randomseed(os.time() * 100 + id)
end

local function copy_headers()
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  return headers
end

if tokens_file then
  function request()
    sent = sent + 1
    -- Threads start at different tokens so that they do not post as the same user in step.
    local token = tokens[(id * 97 + sent) % #tokens + 1]
    local headers = copy_headers()
    headers["Authorization"] = "Bearer " .. token
    headers["Content-Type"] = "application/json"
    local body = string.format(
      '{"body": "Load test %d-%d: our delegation supports the paragraph and asks that progress be reported annually.", "submit": true}',
      id, sent)
    local path = nil
    if #paths > 0 then
      path = paths[math.random(#paths)]
    end
    return wrk.format("POST", path, headers, body)
  end
elseif reads_file then
  function request()
    local read = reads[math.random(#reads)]
    local headers = copy_headers()
    headers["Cookie"] = read[2]
    return wrk.format("GET", read[1], headers)
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
