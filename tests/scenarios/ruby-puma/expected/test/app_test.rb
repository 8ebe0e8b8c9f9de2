# frozen_string_literal: true

require "minitest/autorun"
require "rack/test"
require "app"

class AppTest < Minitest::Test
  include Rack::Test::Methods

  def app
    App.new
  end

  def test_health_route_answers_ok
    get "/healthz"
    assert_equal 200, last_response.status
    assert_equal "ok\n", last_response.body
  end
end
