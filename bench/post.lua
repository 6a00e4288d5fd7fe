-- wrk script: publishes varied, realistic short posts through the Mastodon API.
-- Usage (the token comes from `credence admin token --handle HANDLE`):
--   wrk -s bench/post.lua -H "Authorization: Bearer $TOKEN" http://127.0.0.1:PORT/api/v1/statuses
-- Each request combines a fact, an action and a closing line (12 x 12 x 6 = 864 different
-- texts, walked through in order per connection so neighbouring requests differ). Every
-- combination passes the publishing rules: no patient details, no products, no hype; the
-- sentences that link a trusted source earn the evidence-based label, the others are
-- labelled by the engine as it sees fit.

local facts = {
  "High blood pressure usually causes no symptoms, so many people who have it do not know.",
  "Flu vaccines are updated each year because the viruses change.",
  "Most adults need seven or more hours of sleep a night.",
  "Regular physical activity helps the body use insulin better.",
  "Soluble fibre from oats, beans and lentils can help lower LDL cholesterol.",
  "Most back pain improves within a few weeks without special treatment.",
  "Fluoride toothpaste strengthens tooth enamel.",
  "Stopping smoking at any age brings health benefits.",
  "Some medicines interact with each other, with alcohol or with certain foods.",
  "Falls are the main cause of fractures in older adults.",
  "Eczema makes skin dry, itchy and inflamed, and often starts in childhood.",
  "Antibiotics do not work against colds or flu.",
}

local actions = {
  "Have your blood pressure checked at least once a year.",
  "Get your flu vaccine each autumn.",
  "Go to bed and get up at the same time every day, including weekends.",
  "Take a brisk ten-minute walk after lunch.",
  "Add a serving of beans, lentils or oats to your day.",
  "Keep moving gently and return to normal activities as soon as you can.",
  "Brush twice a day for two minutes with fluoride toothpaste.",
  "Ask your pharmacist about nicotine replacement therapy.",
  "Keep an up-to-date list of all your medicines, including supplements.",
  "Try strength and balance exercises twice a week.",
  "Use a soap substitute when washing.",
  "Wash your hands often and cover coughs and sneezes.",
}

local closers = {
  "",
  "Small steps add up.",
  "Ask your care team what fits you.",
  "Source: https://medlineplus.gov/healthtopics.html",
  "Your pharmacist can help too.",
  "More: https://www.cdc.gov/",
}

local function json_string(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', '\\n') .. '"'
end

local counter = 0
local offset = 0

function setup(thread)
  -- Threads start at different places in the sequence.
  thread:set("offset", offset)
  offset = offset + 397
end

function init(args)
  counter = offset
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local f = facts[counter % #facts + 1]
  local a = actions[math.floor(counter / #facts) % #actions + 1]
  local c = closers[math.floor(counter / (#facts * #actions)) % #closers + 1]
  local text = f .. " " .. a
  if c ~= "" then
    text = text .. "\n\n" .. c
  end
  local body = '{"status":' .. json_string(text) .. ',"visibility":"public"}'
  return wrk.format(nil, "/api/v1/statuses", nil, body)
end
