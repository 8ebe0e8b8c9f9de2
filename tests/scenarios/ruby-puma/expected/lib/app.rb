# frozen_string_literal: true

# ruby-puma: a Rack app with a health route.
class App
  def call(env)
    case env["PATH_INFO"]
    when "/healthz" then [200, { "content-type" => "text/plain" }, ["ok\n"]]
    when "/" then [200, { "content-type" => "text/plain" }, ["Hello from ruby-puma\n"]]
    else [404, { "content-type" => "text/plain" }, ["not found\n"]]
    end
  end
end
